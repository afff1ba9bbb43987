package dev.clipengine.kernels;

/**
 * How {@link VectorBackend} multiplies matrices: its own Vector API kernel, or a native BLAS that
 * another module provides (OpenBLAS through {@code java.lang.foreign}, or through JavaCPP's JNI).
 * Every other operator stays on the Vector API kernels, so a backend is this strategy and nothing
 * more. Arguments arrive checked ({@link CheckedBackend}); an implementation holds only the call.
 */
public interface MatrixProduct extends AutoCloseable {

    /** One line for the start of a run: the library, its version and threads, e.g. OpenBLAS's core. */
    String describe();

    /** {@code C = alpha * op(A) * op(B) + beta * C}, as {@link Backend#sgemm}, with every range already checked. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
               float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc);

    @Override
    default void close() {
    }
}
