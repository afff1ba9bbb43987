#!/usr/bin/env bash
# clip-engine against PyTorch, side by side: installs what PyTorch needs from Debian's packages,
# then runs benchmark.py (same model, same initial weights, same batches; see README.md).
#
#   benchmarks/pytorch/run.sh [benchmark.py options]     e.g. --steps benchmark=300,seed=5000
#
# CLIP_ENGINE="java --add-modules jdk.incubator.vector -jar some/clip-engine.jar" runs that
# command instead of the repository's ./clip-engine launcher.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python=/usr/bin/python3     # Debian's python3-* packages install for this interpreter
blas_package=libopenblas0-openmp
packages=(python3 python3-numpy python3-pil python3-torch "$blas_package")

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  echo
  [ -x "$python" ] && exec "$python" "$here/benchmark.py" --help
  exit 0
fi

# 1. Debian packages. OpenBLAS's OpenMP build: PyTorch runs its own threads on OpenMP, so this
# build shares them and follows torch.set_num_threads, where the pthread build would start a
# second pool of threads competing for the same cores.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh needs these Debian packages: ${missing[*]}. Install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
  echo "installing ${missing[*]} with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }
fi

# 2. The BLAS PyTorch will use. Debian's torch calls whatever libblas.so.3 the system provides
# (the reference BLAS unless an optimised one is installed); benchmark.py loads OpenBLAS's
# libblas.so.3 into the process before torch, so it is used whatever the system default is.
blas="$(dpkg -L "$blas_package" | grep -m 1 '/libblas\.so\.3$' || true)"
if [ -z "$blas" ] || [ ! -e "$blas" ]; then
  echo "run.sh: $blas_package is installed but its libblas.so.3 was not found" >&2
  exit 1
fi
alternative="$(update-alternatives --query "libblas.so.3-$(basename "$(dirname "$(dirname "$blas")")")" 2>/dev/null \
  | sed -n 's/^Value: //p' || true)"
echo "BLAS for PyTorch: $blas ($blas_package; the system's libblas.so.3 is ${alternative:-not an alternative})"

# 3. clip-engine: the launcher builds the jar if it is stale; the benchmark needs --metrics.
if [ -n "${CLIP_ENGINE:-}" ]; then
  read -r -a engine <<<"$CLIP_ENGINE"
else
  engine=("$root/clip-engine")
fi
echo "checking clip-engine (the launcher builds its jar first if it is missing or stale)..."
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
if ! help="$("${engine[@]}" train --help 2>"$errors")"; then
  cat "$errors" >&2
  echo "run.sh: '${engine[*]} train --help' failed" >&2
  exit 1
fi
if ! grep -q -- "--metrics" <<<"$help"; then
  echo "run.sh: this clip-engine has no 'train --metrics' option, which the benchmark reads the losses from" >&2
  exit 1
fi

# 4. Both sides, and the table.
export PYTHONDONTWRITEBYTECODE=1
"$python" "$here/benchmark.py" --clip-engine "$(printf '%q ' "${engine[@]}")" --blas "$blas" "$@"
