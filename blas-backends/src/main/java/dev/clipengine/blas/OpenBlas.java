package dev.clipengine.blas;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * OpenBLAS through {@code java.lang.foreign}: {@code cblas_sgemm} and the thread and identity
 * functions, as downcall handles made once. Touching this class loads the library and fails
 * where it cannot be loaded; {@code OpenBlasLibrary.unavailableReason()} says so beforehand without touching it.
 *
 * <p>Products take heap {@code float[]} with no copy: the handle is {@code critical(true)}, so
 * OpenBLAS reads and writes the arrays in place. A critical call keeps its thread from reaching a
 * safepoint, holding back the garbage collector until it returns, which the training step's
 * products (under a few milliseconds) can afford. Native memory has its own, plain handle.
 */
public final class OpenBlas {

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static final FunctionDescriptor SGEMM_DESCRIPTOR = FunctionDescriptor.ofVoid(
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_FLOAT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);

    private static final MethodHandle SGEMM_HEAP = downcall("cblas_sgemm", SGEMM_DESCRIPTOR,
            Linker.Option.critical(true));
    private static final MethodHandle SGEMM_NATIVE = downcall("cblas_sgemm", SGEMM_DESCRIPTOR);
    private static final MethodHandle SET_NUM_THREADS = downcall("openblas_set_num_threads",
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    private static final MethodHandle GET_NUM_THREADS = downcall("openblas_get_num_threads",
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GET_CONFIG = downcall("openblas_get_config",
            FunctionDescriptor.of(ValueLayout.ADDRESS));
    private static final MethodHandle GET_CORENAME = downcall("openblas_get_corename",
            FunctionDescriptor.of(ValueLayout.ADDRESS));

    /** The count last set; OpenBLAS's setting is process-wide, so it is only re-set on a change. */
    private static int threadsSet = -1;

    private OpenBlas() {
    }

    /** The build's configuration line, e.g. {@code OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY ...}. */
    public static String config() {
        return string(GET_CONFIG);
    }

    /** {@code OpenBLAS} and its version number, the first two words of {@link #config()}. */
    public static String version() {
        String[] words = config().split(" ");
        return words.length >= 2 ? words[0] + " " + words[1] : config();
    }

    /** The kernels OpenBLAS chose for this CPU, e.g. {@code Cooperlake}. */
    public static String coreName() {
        return string(GET_CORENAME);
    }

    public static int threads() {
        try {
            return (int) GET_NUM_THREADS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets OpenBLAS's thread count, for the whole process. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (threads == threadsSet) {
            return;
        }
        try {
            SET_NUM_THREADS.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        threadsSet = threads;
    }

    /**
     * {@code C = alpha op(A) op(B) + beta C} on row-major heap arrays, read and written in place.
     * Every size, leading dimension and offset is checked against the arrays first.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                             float beta, float[] c, int cOffset, int ldc) {
        Ranges.checkProduct(transA, transB, m, n, k, a.length, aOffset, lda, b.length, bOffset, ldb,
                c.length, cOffset, ldc);
        sgemmUnchecked(transA, transB, m, n, k, alpha, MemorySegment.ofArray(a).asSlice(aOffset * 4L), lda,
                MemorySegment.ofArray(b).asSlice(bOffset * 4L), ldb, beta,
                MemorySegment.ofArray(c).asSlice(cOffset * 4L), ldc);
    }

    /**
     * The same on native memory: offsets count floats from each segment's start. A plain (not
     * critical) call, for memory the garbage collector does not move.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, int aOffset, int lda, MemorySegment b, int bOffset, int ldb,
                             float beta, MemorySegment c, int cOffset, int ldc) {
        Ranges.checkProduct(transA, transB, m, n, k, floats(a), aOffset, lda, floats(b), bOffset, ldb,
                floats(c), cOffset, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        try {
            SGEMM_NATIVE.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a.asSlice(aOffset * 4L), lda, b.asSlice(bOffset * 4L), ldb,
                    beta, c.asSlice(cOffset * 4L), ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * For callers that have checked the ranges already, as {@code CheckedBackend} does: a, b and c
     * are heap segments over {@code float[]}, starting at the matrices.
     */
    static void sgemmUnchecked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               MemorySegment a, int lda, MemorySegment b, int ldb,
                               float beta, MemorySegment c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        try {
            SGEMM_HEAP.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k,
                    alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long floats(MemorySegment segment) {
        return segment.byteSize() / Float.BYTES;
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (OpenBlasLibrary.LOOKUP == null) {
            throw new IllegalStateException("OpenBLAS is not available: " + OpenBlasLibrary.FAILURE);
        }
        MemorySegment symbol = OpenBlasLibrary.LOOKUP.find(name)
                .orElseThrow(() -> new IllegalStateException("OpenBLAS lacks " + name));
        return Linker.nativeLinker().downcallHandle(symbol, descriptor, options);
    }

    private static String string(MethodHandle function) {
        try {
            MemorySegment text = (MemorySegment) function.invokeExact();
            return text.equals(MemorySegment.NULL) ? "" : text.reinterpret(Integer.MAX_VALUE).getString(0).strip();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
