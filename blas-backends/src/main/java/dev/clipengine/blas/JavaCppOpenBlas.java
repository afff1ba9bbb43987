package dev.clipengine.blas;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The thread and identity calls of JavaCPP's OpenBLAS binding. Kept apart from {@link OpenBlas}:
 * this class loads JavaCPP's JNI bridge, which the {@code blas} backend must never do, and its
 * OpenBLAS is JavaCPP's own extracted copy, with its own process-wide thread setting.
 */
final class JavaCppOpenBlas {

    private static int threadsSet = -1;

    private JavaCppOpenBlas() {
    }

    /** Why the binding cannot be loaded, or null; loading it is the only way to know. */
    static String unavailableReason() {
        try {
            Loader.load(openblas_nolapack.class);
            return null;
        } catch (Throwable t) {
            return "JavaCPP's OpenBLAS binding cannot be loaded: " + t;
        }
    }

    static synchronized void setThreads(int threads) {
        if (threads != threadsSet) {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
            threadsSet = threads;
        }
    }

    static int threads() {
        return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    }

}
