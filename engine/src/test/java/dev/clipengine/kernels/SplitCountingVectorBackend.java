package dev.clipengine.kernels;

/**
 * The vector backend, counting the calls large enough to be split over its threads: products of
 * at least {@link VectorGemm#PARALLEL_MIN_FMAS} multiply-adds (so at least two parts of
 * {@link VectorGemm#PART_MIN_FMAS}) and optimizer updates of at least
 * {@link VectorBackend#PARALLEL_MIN_ELEMENTS} elements per thread. A test that claims to compare
 * split and unsplit work shows with these counts that its work was split.
 */
public final class SplitCountingVectorBackend extends ForwardingBackend {

    private long splitProducts;
    private long splitUpdates;
    private long largestProduct;
    private long largestUpdate;

    public SplitCountingVectorBackend(int threads) {
        super(new VectorBackend(threads));
    }

    /** Products this backend, at its thread count, ran in more than one part. */
    public long splitProducts() {
        return splitProducts;
    }

    /** Optimizer updates this backend, at its thread count, ran in more than one part. */
    public long splitUpdates() {
        return splitUpdates;
    }

    /** The most multiply-adds of any product so far. */
    public long largestProduct() {
        return largestProduct;
    }

    /** The most elements of any optimizer update so far. */
    public long largestUpdate() {
        return largestUpdate;
    }

    /** Whether a product of m x n x k is split when run on 2 or more threads. */
    public static boolean productSplits(int m, int n, int k) {
        long fmas = (long) m * n * k;
        // the narrow paths (C narrower than a vector) turn the product round; both dimensions must hold tiles
        return fmas >= VectorGemm.PARALLEL_MIN_FMAS && fmas / VectorGemm.PART_MIN_FMAS >= 2
                && m >= 2 * VectorGemm.MR && n >= VectorGemm.SPECIES.length();
    }

    /** Whether an optimizer update of n elements is split when run on 2 threads. */
    public static boolean updateSplits(int n) {
        return n / VectorBackend.PARALLEL_MIN_ELEMENTS >= 2;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                      float beta, float[] c, int cOffset, int ldc) {
        largestProduct = Math.max(largestProduct, (long) m * n * k);
        if (threads() > 1 && productSplits(m, n, k)) {
            splitProducts++;
        }
        super.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    public void sgdStep(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                        float weightDecay) {
        countUpdate(n);
        super.sgdStep(n, w, g, momentumBuffer, lr, momentum, weightDecay);
    }

    @Override
    public void adamwStep(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
                          float beta2, float eps, float weightDecay, float biasCorrection1,
                          float biasCorrection2) {
        countUpdate(n);
        super.adamwStep(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2);
    }

    private void countUpdate(int n) {
        largestUpdate = Math.max(largestUpdate, n);
        if (threads() > 1 && updateSplits(n)) {
            splitUpdates++;
        }
    }
}
