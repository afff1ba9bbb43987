package dev.clipengine.blas;

import dev.clipengine.kernels.MatrixProduct;

/**
 * Products on OpenBLAS's {@code cblas_sgemm} through {@code java.lang.foreign}: the matrix-product
 * strategy of the {@code blas} backend, whose other operators are the Vector API kernels.
 *
 * <p>OpenBLAS gets the same thread count as the Java worker pool. The two never compute at the
 * same time: products are called from the training thread between the pool's operators, never
 * from inside one.
 */
final class OpenBlasProduct implements MatrixProduct {

    private final int threads;
    private final HeapSegments segments = new HeapSegments();

    OpenBlasProduct(int threads) {
        this.threads = threads;
        OpenBlas.setThreads(threads);
    }

    @Override
    public String describe() {
        int openBlasThreads = OpenBlas.threads();
        return OpenBlas.version() + ", core " + OpenBlas.coreName() + ", " + openBlasThreads
                + (openBlasThreads == 1 ? " thread" : " threads");
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset,
                      int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        // another backend in this process may have changed the process-wide count
        OpenBlas.setThreads(threads);
        OpenBlas.sgemmUnchecked(transA, transB, m, n, k, alpha, segments.of(a, aOffset), lda, segments.of(b, bOffset),
                ldb, beta, segments.of(c, cOffset), ldc);
    }
}
