package dev.clipengine.blas;

import dev.clipengine.kernels.VectorBackend;

/**
 * {@code blas}: products on OpenBLAS's {@code cblas_sgemm} through {@code java.lang.foreign},
 * every other operator on the Vector API kernels it inherits.
 *
 * <p>OpenBLAS gets the same thread count as the Java worker pool. The two never compute at the
 * same time: products are called from the training thread between the pool's operators, never
 * from inside one.
 */
public final class BlasBackend extends VectorBackend {

    private final int threads;
    private final HeapSegments segments = new HeapSegments();

    public BlasBackend(int threads) {
        super(threads);
        this.threads = threads;
        OpenBlas.setThreads(threads);
    }

    @Override
    public String name() {
        return "blas";
    }

    @Override
    public String describe() {
        int openBlasThreads = OpenBlas.threads();
        return "blas (" + OpenBlas.version() + ", core " + OpenBlas.coreName() + ", " + openBlasThreads
                + (openBlasThreads == 1 ? " thread" : " threads") + "; other operators: " + super.describe() + ")";
    }

    @Override
    protected void sgemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        // another backend in this process may have changed the process-wide count
        OpenBlas.setThreads(threads);
        OpenBlas.sgemmUnchecked(transA, transB, m, n, k, alpha, segments.of(a, aOffset), lda, segments.of(b, bOffset), ldb,
                beta, segments.of(c, cOffset), ldc);
    }
}
