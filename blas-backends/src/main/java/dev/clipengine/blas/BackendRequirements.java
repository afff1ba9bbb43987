package dev.clipengine.blas;

/** What the native backends need besides their library: they inherit the Vector API kernels. */
final class BackendRequirements {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private BackendRequirements() {
    }

    /** Why the Vector API cannot be used, or null; checked before any class that links against it loads. */
    static String vectorApiMissing() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent() ? null
                : "the Vector API is not enabled: start java with --add-modules " + VECTOR_MODULE;
    }
}
