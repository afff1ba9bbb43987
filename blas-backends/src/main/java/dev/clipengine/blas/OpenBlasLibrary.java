package dev.clipengine.blas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Finds the OpenBLAS shared library, extracts it from the bytedeco natives jar on the class path
 * when needed, and loads it, once per JVM. Only the plain C libraries are touched: never JavaCPP's
 * JNI bridges, nor any of its classes, whose static initialisers would load them.
 *
 * <p>The library is taken from, in order: the system property {@value #LIBRARY_PROPERTY}, the
 * environment variable {@value #LIBRARY_VARIABLE} (a path, or a bare name the dynamic linker
 * searches for), or the jar's copy, extracted into {@code <cache>/openblas-<version>-<platform>},
 * where the cache is {@value #CACHE_PROPERTY}, else {@code $XDG_CACHE_HOME/clip-engine}, else
 * {@code ~/.cache/clip-engine}. Whatever is loaded must answer {@code openblas_get_config}.
 *
 * <p>Extracted libraries are loaded only from a folder this user alone can write
 * ({@link PrivateFolder}), and only once each file has been compared byte for byte with the jar's
 * copy: a file that differs (damaged, or swapped by someone) is extracted again, so what is loaded
 * is what the jar carries. (Comparing the bytes is what comparing two SHA-256 digests stands for,
 * without the cost of hashing 80 MB in a JVM that has only just started: the jar's copy is
 * decompressed either way.)
 */
final class OpenBlasLibrary {

    static final String LIBRARY_PROPERTY = "clip.openblas.library";
    static final String LIBRARY_VARIABLE = "CLIP_OPENBLAS_LIBRARY";
    static final String CACHE_PROPERTY = "clip.cache.dir";
    /** OpenBLAS's environment variable for how long its idle threads spin. */
    static final String THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";
    /** 2^16 cycles, about 20 microseconds: a training step's next product still finds them awake. */
    private static final int SPIN_CYCLES_LOG2 = 16;

    private static final String RESOURCE_ROOT = "org/bytedeco/openblas/";
    private static final String VERSION_RESOURCE = "META-INF/maven/org.bytedeco/openblas/pom.properties";

    /** Every function the binding calls; a library missing one is refused at load. */
    static final List<String> SYMBOLS = List.of("cblas_sgemm", "openblas_set_num_threads",
            "openblas_get_num_threads", "openblas_get_config", "openblas_get_corename");

    /** The library's lookup, or null when it could not be loaded. */
    static final SymbolLookup LOOKUP;
    /** Why it could not be loaded, or null. */
    static final String FAILURE;

    static {
        SymbolLookup lookup = null;
        String failure = null;
        try {
            lookup = load();
        } catch (RuntimeException | LinkageError e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        LOOKUP = lookup;
        FAILURE = failure;
    }

    private OpenBlasLibrary() {
    }

    /** Why OpenBLAS cannot be used in this JVM, or null when it can. */
    static String unavailableReason() {
        return FAILURE;
    }

    /** JavaCPP's name for this OS and architecture, e.g. {@code linux-x86_64}; null if it has none. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macosx"
                : os.startsWith("windows") ? "windows" : null;
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        return osName == null || archName == null ? null : osName + "-" + archName;
    }

    /**
     * The files to extract for a platform, in the order they must be loaded: the GCC runtime
     * libraries OpenBLAS's Fortran part needs, then OpenBLAS. Loading them first by path keeps the
     * system's own copies (or their absence) out of it.
     */
    static List<String> files(String platform) {
        if (platform.startsWith("linux")) {
            return List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");
        }
        if (platform.startsWith("macosx")) {
            return List.of("libgcc_s.1.1.dylib", "libquadmath.0.dylib", "libgfortran.5.dylib", "libopenblas.0.dylib");
        }
        return List.of("libwinpthread-1.dll", "libgcc_s_seh-1.dll", "libquadmath-0.dll", "libgfortran-5.dll",
                "libopenblas.dll");
    }

    private static SymbolLookup load() {
        shortenThreadSpin();
        String configured = System.getProperty(LIBRARY_PROPERTY);
        String source = "-D" + LIBRARY_PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(LIBRARY_VARIABLE);
            source = LIBRARY_VARIABLE;
        }
        SymbolLookup lookup;
        String what;
        if (configured != null && !configured.isBlank()) {
            what = configured + " (from " + source + ")";
            try {
                lookup = configured.contains("/") || configured.contains("\\")
                        ? SymbolLookup.libraryLookup(Path.of(configured), Arena.global())
                        : SymbolLookup.libraryLookup(configured, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("cannot load " + what + ": " + e.getMessage(), e);
            }
        } else {
            String platform = platform();
            if (platform == null) {
                throw new IllegalStateException("OpenBLAS is not bundled for " + System.getProperty("os.name") + " on "
                        + System.getProperty("os.arch"));
            }
            List<Path> libraries = extract(platform);
            lookup = null;
            for (Path library : libraries) {
                lookup = SymbolLookup.libraryLookup(library, Arena.global());
            }
            what = libraries.getLast().toString();
        }
        checkIsOpenBlas(lookup, what);
        return lookup;
    }

    /**
     * OpenBLAS's worker threads spin after every call, 2^28 cycles by default (about a tenth of a
     * second), before they sleep. Between products the Vector API runs the other operators on
     * the same cores, and the spinning threads took them: attention and activations ran at half
     * speed beside OpenBLAS. OpenBLAS reads {@value #THREAD_TIMEOUT} (a power of two of cycles,
     * 4 to 30) as it loads, so it is set here first, to 2^{@value #SPIN_CYCLES_LOG2} cycles,
     * unless the user set it.
     */
    private static void shortenThreadSpin() {
        if (System.getenv(THREAD_TIMEOUT) != null || System.getProperty("os.name", "").startsWith("Windows")) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment setenv = Linker.nativeLinker().defaultLookup().find("setenv").orElse(null);
            if (setenv == null) {
                return;
            }
            MethodHandle call = Linker.nativeLinker().downcallHandle(setenv,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT));
            int ignored = (int) call.invokeExact(arena.allocateFrom(THREAD_TIMEOUT),
                    arena.allocateFrom(Integer.toString(SPIN_CYCLES_LOG2)), 0);
        } catch (Throwable e) {
            // the default spin is slower, not wrong
        }
    }

    /**
     * Extracts the platform's libraries into the cache unless an earlier run did, checking that
     * each one there is the jar's; returns them in the order they must be loaded, OpenBLAS last.
     * Nothing else in the folder is ever loaded.
     */
    static List<Path> extract(String platform) {
        return extract(platform, cacheRoot());
    }

    /** As {@link #extract(String)}, into {@code cache}. */
    static List<Path> extract(String platform, Path cache) {
        String base = RESOURCE_ROOT + platform + "/";
        List<String> files = files(platform);
        ClassLoader loader = OpenBlasLibrary.class.getClassLoader();
        if (loader.getResource(base + files.getLast()) == null) {
            throw new IllegalStateException("this build carries no OpenBLAS for " + platform
                    + " (rebuild with -Djavacpp.platform=" + platform + ")");
        }
        Path folder = cache.resolve("openblas-" + version() + "-" + platform);
        List<Path> extracted = new ArrayList<>();
        try {
            PrivateFolder.prepare(folder);
            for (String file : files) {
                String resource = base + file;
                if (loader.getResource(resource) == null) {
                    continue; // not every platform's jar carries every runtime library
                }
                Path target = folder.resolve(file);
                if (!isJarCopy(target, loader, resource)) {
                    try (InputStream in = loader.getResourceAsStream(resource)) {
                        install(in, target);
                    }
                    if (!isJarCopy(target, loader, resource)) {
                        throw new IllegalStateException(target + " differs from the jar's copy even after extracting "
                                + "it again; it is not loaded");
                    }
                }
                extracted.add(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract OpenBLAS into " + folder + ": " + e.getMessage(), e);
        }
        return extracted;
    }

    /** Whether {@code file} is a private regular file holding exactly the bytes of {@code resource}. */
    private static boolean isJarCopy(Path file, ClassLoader loader, String resource) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || !PrivateFolder.isPrivate(file)) {
            return false;
        }
        try (InputStream jar = loader.getResourceAsStream(resource); InputStream copy = Files.newInputStream(file)) {
            byte[] expected = new byte[1 << 16];
            byte[] found = new byte[expected.length];
            while (true) {
                int n = jar.readNBytes(expected, 0, expected.length);
                int m = copy.readNBytes(found, 0, found.length);
                if (n != m || !Arrays.equals(expected, 0, n, found, 0, m)) {
                    return false;
                }
                if (n < expected.length) {
                    return true;
                }
            }
        }
    }

    /**
     * Writes beside the target and moves into place, so that another JVM extracting at the same
     * moment never sees, nor loads, a half-written library; whichever move lands last wins with
     * identical bytes.
     */
    private static void install(InputStream in, Path target) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".part");
        try {
            // written into the temporary file as created, owner-only, not replaced by one of default permissions
            try (OutputStream out = Files.newOutputStream(temporary)) {
                in.transferTo(out);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                // a file system without atomic replace: the other process's copy is as good as ours
                if (!Files.exists(target)) {
                    Files.move(temporary, target);
                }
            }
        } catch (IOException e) {
            if (!Files.exists(target)) {
                throw e;
            }
            // Windows refuses to replace a library another process has loaded; it is complete
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "clip-engine");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "clip-engine");
    }

    /** The bytedeco artifact's version, e.g. {@code 0.3.31-1.5.13}, so that an upgrade extracts afresh. */
    private static String version() {
        try (InputStream in = OpenBlasLibrary.class.getClassLoader().getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + VERSION_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static void checkIsOpenBlas(SymbolLookup lookup, String what) {
        MemorySegment symbol = lookup == null ? null : lookup.find("openblas_get_config").orElse(null);
        if (symbol == null) {
            throw new IllegalStateException(what + " is not OpenBLAS: it has no openblas_get_config");
        }
        MethodHandle getConfig = Linker.nativeLinker().downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.ADDRESS));
        String config;
        try {
            config = ((MemorySegment) getConfig.invokeExact()).reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException("calling openblas_get_config of " + what + " failed: " + t, t);
        }
        if (!config.startsWith("OpenBLAS")) {
            throw new IllegalStateException(what + " is not OpenBLAS: its configuration reads '" + config + "'");
        }
        for (String name : SYMBOLS) {
            if (lookup.find(name).isEmpty()) {
                throw new IllegalStateException(what + " lacks " + name);
            }
        }
    }
}
