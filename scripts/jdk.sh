# Sourced by ./clip-engine and ./build: finds a JDK 25 or newer and sets CLIP_JDK to its home.
# Order: JAVA_HOME, then `java` on the PATH, then JDKs installed in the usual places.

clip_java_major() { # prints the feature version of the java binary $1, or nothing
  # "25.0.3", "25", "25-ea" and "1.8.0" all give their first number
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1
}

clip_find_jdk() {
  local candidates=() home major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/*jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/*; do
    [ -d "$home" ] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(clip_java_major "$home/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      CLIP_JDK="$home"
      return 0
    fi
  done
  echo "clip-engine needs a JDK 25 or newer: none found in JAVA_HOME, on the PATH or under /usr/lib/jvm; install one (for example Debian's openjdk-25-jdk or Temurin 25) or set JAVA_HOME to it" >&2
  return 1
}
