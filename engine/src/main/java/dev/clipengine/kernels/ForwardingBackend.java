package dev.clipengine.kernels;

/**
 * A backend that hands every operator to another: the base of decorators that watch a backend at
 * work (recording its products' shapes, counting the calls it splits over threads) and override
 * only what they watch.
 */
public abstract class ForwardingBackend implements Backend {

    protected final Backend delegate;

    protected ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int threads() {
        return delegate.threads();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset,
            int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        delegate.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    public void addBias(int rows, int cols, float[] x, float[] bias) {
        delegate.addBias(rows, cols, x, bias);
    }

    @Override
    public void biasBackward(int rows, int cols, float[] dy, float[] dBias) {
        delegate.biasBackward(rows, cols, dy, dBias);
    }

    @Override
    public void relu(int n, float[] x) {
        delegate.relu(n, x);
    }

    @Override
    public void reluBackward(int n, float[] y, float[] dy) {
        delegate.reluBackward(n, y, dy);
    }

    @Override
    public void meanPool(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        delegate.meanPool(groups, groupStart, cols, x, out);
    }

    @Override
    public void meanPoolBackward(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        delegate.meanPoolBackward(groups, groupStart, cols, dOut, dx);
    }

    @Override
    public void softmaxRows(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        delegate.softmaxRows(rows, cols, x, out, logSumExp);
    }

    @Override
    public void softmaxColumns(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        delegate.softmaxColumns(rows, cols, x, out, logSumExp);
    }

    @Override
    public void l2Normalize(int rows, int cols, float[] x, float[] y, float[] norms) {
        delegate.l2Normalize(rows, cols, x, y, norms);
    }

    @Override
    public void l2NormalizeBackward(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        delegate.l2NormalizeBackward(rows, cols, y, norms, dy, dx);
    }

    @Override
    public void gather(int n, int[] ids, int cols, float[] table, float[] out) {
        delegate.gather(n, ids, cols, table, out);
    }

    @Override
    public void scatterAdd(int n, int[] ids, int cols, float[] dOut, float[] dTable) {
        delegate.scatterAdd(n, ids, cols, dOut, dTable);
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean,
            float[] rstd) {
        delegate.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd);
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
            float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        delegate.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
    }

    @Override
    public void activation(Activation kind, int n, float[] x, float[] y) {
        delegate.activation(kind, n, x, y);
    }

    @Override
    public void activationBackward(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        delegate.activationBackward(kind, n, x, dy, dx);
    }

    @Override
    public void attention(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
            float[] probs, float[] out) {
        delegate.attention(sequences, length, heads, headWidth, causal, qkv, probs, out);
    }

    @Override
    public void attentionBackward(int sequences, int length, int heads, int headWidth, boolean causal,
            float[] qkv, float[] probs, float[] dOut, float[] dQkv) {
        delegate.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs, dOut, dQkv);
    }

    @Override
    public void sgdStep(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
            float weightDecay) {
        delegate.sgdStep(n, w, g, momentumBuffer, lr, momentum, weightDecay);
    }

    @Override
    public void adamwStep(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
            float beta2, float eps, float weightDecay, float biasCorrection1, float biasCorrection2) {
        delegate.adamwStep(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
