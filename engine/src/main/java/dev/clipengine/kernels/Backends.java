package dev.clipengine.kernels;

import dev.clipengine.BadInputException;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by name: the engine's own, then those other modules provide. */
public final class Backends {

    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Backends() {
    }

    /** Every known provider, the engine's first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> providers = new ArrayList<>(List.of(new Scalar(), new Vector()));
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            providers.add(provider);
        }
        return providers;
    }

    public static List<String> names() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    /** {@code vector} where the Vector API is present, else {@code scalar}. */
    public static String defaultName() {
        return new Vector().unavailableReason() == null ? "vector" : "scalar";
    }

    /**
     * Why the Vector API kernels the named backend computes with run slower than they should in
     * this JVM, with the flag that fixes it, or null ({@code scalar} uses none). Under the Serial
     * and Parallel collectors (the JVM's choice with one processor or under 1792 MB), JDK 25's C2
     * compiled the 6 x 2-vector product kernel used on 256-bit vectors and narrower with its
     * broadcasts hoisted and accumulators spilled to the stack: products ran at 0.4x OpenBLAS there,
     * 0.65-0.9x under G1, on the same AVX2 machine in the same hour (docs/performance.md). Said only
     * where that was measured: x86 with 256-bit vectors or narrower; the 512-bit kernel, with 32
     * registers, was not seen to suffer.
     */
    public static String slowKernelReason(String backendName) {
        if (backendName.equals("scalar")) {
            return null;
        }
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!x86 || new Vector().unavailableReason() != null || VectorGemm.WIDE_TILE) {
            return null;
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            String collectorName = collectorOf(collector.getName());
            if (collectorName != null) {
                return "the " + collectorName + " garbage collector, under which the JIT compiles the Vector API "
                        + "matrix kernel to code about half as fast; start java with -XX:+UseG1GC (the JVM's "
                        + "default with 2 or more processors and 1792 MB or more)";
            }
        }
        return null;
    }

    /** Serial or Parallel, from one of its memory managers' names; null for any other collector. */
    static String collectorOf(String managerName) {
        return switch (managerName) {
            case "Copy", "MarkSweepCompact" -> "Serial";
            case "PS Scavenge", "PS MarkSweep" -> "Parallel";
            default -> null;
        };
    }

    /** The backend of that name on that many threads; an unknown or unusable one is bad input. */
    public static Backend create(String name, int threads) {
        for (BackendProvider provider : providers()) {
            if (provider.name().equals(name)) {
                String reason = provider.unavailableReason();
                if (reason != null) {
                    throw new BadInputException("backend '" + name + "' cannot run: " + reason);
                }
                return provider.create(threads);
            }
        }
        throw new BadInputException("unknown backend '" + name + "'; the backends are: " + String.join(", ", names()));
    }

    private static final class Scalar implements BackendProvider {
        @Override
        public String name() {
            return "scalar";
        }

        @Override
        public String unavailableReason() {
            return null;
        }

        @Override
        public Backend create(int threads) {
            return new ScalarBackend();
        }
    }

    private static final class Vector implements BackendProvider {
        @Override
        public String name() {
            return "vector";
        }

        @Override
        public String unavailableReason() {
            // VectorBackend must not even be loaded without the module: its classes would not link
            return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent() ? null
                    : "the Vector API is not enabled: start java with --add-modules " + VECTOR_MODULE;
        }

        @Override
        public Backend create(int threads) {
            return new VectorBackend(threads);
        }
    }
}
