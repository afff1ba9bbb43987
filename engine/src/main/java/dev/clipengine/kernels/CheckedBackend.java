package dev.clipengine.kernels;

import java.util.Objects;

/**
 * Checks every operator's arguments once, so that implementations hold only the math: a
 * subclass implements the {@code *Kernel} methods and may assume their ranges lie inside the
 * arrays. A bad argument throws {@link IllegalArgumentException} naming it.
 */
public abstract class CheckedBackend implements Backend {

    @Override
    public final void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                            float beta, float[] c, int cOffset, int ldc) {
        nonNegative("m", m);
        nonNegative("n", n);
        nonNegative("k", k);
        // op(A) is m x k: stored k x m when transposed
        checkMatrix("A", a, aOffset, lda, transA ? k : m, transA ? m : k);
        checkMatrix("B", b, bOffset, ldb, transB ? n : k, transB ? k : n);
        checkMatrix("C", c, cOffset, ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        sgemmKernel(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    public final void addBias(int rows, int cols, float[] x, float[] bias) {
        checkLength("x", x, (long) rows * cols);
        checkLength("bias", bias, cols);
        addBiasKernel(rows, cols, x, bias);
    }

    @Override
    public final void biasBackward(int rows, int cols, float[] dy, float[] dBias) {
        checkLength("dy", dy, (long) rows * cols);
        checkLength("dBias", dBias, cols);
        biasBackwardKernel(rows, cols, dy, dBias);
    }

    @Override
    public final void relu(int n, float[] x) {
        checkLength("x", x, n);
        reluKernel(n, x);
    }

    @Override
    public final void reluBackward(int n, float[] y, float[] dy) {
        checkLength("y", y, n);
        checkLength("dy", dy, n);
        reluBackwardKernel(n, y, dy);
    }

    @Override
    public final void meanPool(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        int rows = checkGroups(groups, groupStart);
        checkLength("x", x, (long) rows * cols);
        checkLength("out", out, (long) groups * cols);
        meanPoolKernel(groups, groupStart, cols, x, out);
    }

    @Override
    public final void meanPoolBackward(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        int rows = checkGroups(groups, groupStart);
        checkLength("dOut", dOut, (long) groups * cols);
        checkLength("dx", dx, (long) rows * cols);
        meanPoolBackwardKernel(groups, groupStart, cols, dOut, dx);
    }

    @Override
    public final void softmaxRows(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        checkSoftmax(rows, cols, x, out);
        checkLength("logSumExp", logSumExp, rows);
        softmaxRowsKernel(rows, cols, x, out, logSumExp);
    }

    @Override
    public final void softmaxColumns(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        checkSoftmax(rows, cols, x, out);
        checkLength("logSumExp", logSumExp, cols);
        softmaxColumnsKernel(rows, cols, x, out, logSumExp);
    }

    @Override
    public final void l2Normalize(int rows, int cols, float[] x, float[] y, float[] norms) {
        checkLength("x", x, (long) rows * cols);
        checkLength("y", y, (long) rows * cols);
        checkLength("norms", norms, rows);
        l2NormalizeKernel(rows, cols, x, y, norms);
    }

    @Override
    public final void l2NormalizeBackward(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        checkLength("y", y, (long) rows * cols);
        checkLength("norms", norms, rows);
        checkLength("dy", dy, (long) rows * cols);
        checkLength("dx", dx, (long) rows * cols);
        l2NormalizeBackwardKernel(rows, cols, y, norms, dy, dx);
    }

    @Override
    public final void gather(int n, int[] ids, int cols, float[] table, float[] out) {
        checkIds(n, ids, cols, table);
        checkLength("out", out, (long) n * cols);
        gatherKernel(n, ids, cols, table, out);
    }

    @Override
    public final void scatterAdd(int n, int[] ids, int cols, float[] dOut, float[] dTable) {
        checkIds(n, ids, cols, dTable);
        checkLength("dOut", dOut, (long) n * cols);
        scatterAddKernel(n, ids, cols, dOut, dTable);
    }

    @Override
    public final void sgdStep(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                              float weightDecay) {
        checkLength("w", w, n);
        checkLength("g", g, n);
        if (momentum != 0f) {
            checkLength("momentumBuffer", momentumBuffer, n);
        }
        sgdStepKernel(n, w, g, momentumBuffer, lr, momentum, weightDecay);
    }

    @Override
    public final void adamwStep(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
                                float beta2, float eps, float weightDecay, float biasCorrection1,
                                float biasCorrection2) {
        checkLength("w", w, n);
        checkLength("g", g, n);
        checkLength("m", m, n);
        checkLength("v", v, n);
        adamwStepKernel(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2);
    }

    @Override
    public final void layerNorm(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean,
                                float[] rstd) {
        checkLength("x", x, (long) rows * cols);
        checkLength("gamma", gamma, cols);
        checkLength("beta", beta, cols);
        checkLength("y", y, (long) rows * cols);
        checkLength("mean", mean, rows);
        checkLength("rstd", rstd, rows);
        if (cols == 0) {
            throw new IllegalArgumentException("layerNorm needs at least one column");
        }
        layerNormKernel(rows, cols, x, gamma, beta, y, mean, rstd);
    }

    @Override
    public final void layerNormBackward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
                                        float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        checkLength("x", x, (long) rows * cols);
        checkLength("gamma", gamma, cols);
        checkLength("mean", mean, rows);
        checkLength("rstd", rstd, rows);
        checkLength("dy", dy, (long) rows * cols);
        checkLength("dx", dx, (long) rows * cols);
        checkLength("dGamma", dGamma, cols);
        checkLength("dBeta", dBeta, cols);
        layerNormBackwardKernel(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
    }

    @Override
    public final void activation(Activation kind, int n, float[] x, float[] y) {
        Objects.requireNonNull(kind, "kind");
        checkLength("x", x, n);
        checkLength("y", y, n);
        activationKernel(kind, n, x, y);
    }

    @Override
    public final void activationBackward(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        Objects.requireNonNull(kind, "kind");
        checkLength("x", x, n);
        checkLength("dy", dy, n);
        checkLength("dx", dx, n);
        activationBackwardKernel(kind, n, x, dy, dx);
    }

    @Override
    public final void attention(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                                float[] probs, float[] out) {
        long rows = checkAttention(sequences, length, heads, headWidth, qkv, probs);
        checkLength("out", out, rows * heads * headWidth);
        attentionKernel(sequences, length, heads, headWidth, causal, qkv, probs, out);
    }

    @Override
    public final void attentionBackward(int sequences, int length, int heads, int headWidth, boolean causal,
                                        float[] qkv, float[] probs, float[] dOut, float[] dQkv) {
        long rows = checkAttention(sequences, length, heads, headWidth, qkv, probs);
        checkLength("dOut", dOut, rows * heads * headWidth);
        checkLength("dQkv", dQkv, rows * 3L * heads * headWidth);
        attentionBackwardKernel(sequences, length, heads, headWidth, causal, qkv, probs, dOut, dQkv);
    }

    private static long checkAttention(int sequences, int length, int heads, int headWidth, float[] qkv,
                                       float[] probs) {
        nonNegative("sequences", sequences);
        if (length < 1 || heads < 1 || headWidth < 1) {
            throw new IllegalArgumentException("attention needs length, heads and headWidth of at least 1, got "
                    + length + ", " + heads + ", " + headWidth);
        }
        long rows = (long) sequences * length;
        checkLength("qkv", qkv, rows * 3L * heads * headWidth);
        checkLength("probs", probs, (long) sequences * heads * length * length);
        return rows;
    }

    protected abstract void layerNormKernel(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y,
                                            float[] mean, float[] rstd);

    protected abstract void layerNormBackwardKernel(int rows, int cols, float[] x, float[] gamma, float[] mean,
                                                    float[] rstd, float[] dy, float[] dx, float[] dGamma,
                                                    float[] dBeta);

    protected abstract void activationKernel(Activation kind, int n, float[] x, float[] y);

    protected abstract void activationBackwardKernel(Activation kind, int n, float[] x, float[] dy, float[] dx);

    protected abstract void attentionKernel(int sequences, int length, int heads, int headWidth, boolean causal,
                                            float[] qkv, float[] probs, float[] out);

    protected abstract void attentionBackwardKernel(int sequences, int length, int heads, int headWidth,
                                                    boolean causal, float[] qkv, float[] probs, float[] dOut,
                                                    float[] dQkv);

    protected abstract void sgemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                                        float beta, float[] c, int cOffset, int ldc);

    protected abstract void addBiasKernel(int rows, int cols, float[] x, float[] bias);

    protected abstract void biasBackwardKernel(int rows, int cols, float[] dy, float[] dBias);

    protected abstract void reluKernel(int n, float[] x);

    protected abstract void reluBackwardKernel(int n, float[] y, float[] dy);

    protected abstract void meanPoolKernel(int groups, int[] groupStart, int cols, float[] x, float[] out);

    protected abstract void meanPoolBackwardKernel(int groups, int[] groupStart, int cols, float[] dOut, float[] dx);

    protected abstract void softmaxRowsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp);

    protected abstract void softmaxColumnsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp);

    protected abstract void l2NormalizeKernel(int rows, int cols, float[] x, float[] y, float[] norms);

    protected abstract void l2NormalizeBackwardKernel(int rows, int cols, float[] y, float[] norms, float[] dy,
                                                      float[] dx);

    protected abstract void gatherKernel(int n, int[] ids, int cols, float[] table, float[] out);

    protected abstract void scatterAddKernel(int n, int[] ids, int cols, float[] dOut, float[] dTable);

    protected abstract void sgdStepKernel(int n, float[] w, float[] g, float[] momentumBuffer, float lr,
                                          float momentum, float weightDecay);

    protected abstract void adamwStepKernel(int n, float[] w, float[] g, float[] m, float[] v, float lr,
                                            float beta1, float beta2, float eps, float weightDecay,
                                            float biasCorrection1, float biasCorrection2);

    // ---- checks ------------------------------------------------------------------------------

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    /** A rows x cols matrix stored from offset with leading dimension ld must lie inside array. */
    private static void checkMatrix(String name, float[] array, int offset, int ld, int rows, int cols) {
        Objects.requireNonNull(array, name);
        if (offset < 0) {
            throw new IllegalArgumentException(name + " offset must be >= 0, got " + offset);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("ld" + name.toLowerCase() + " = " + ld + " is less than the "
                    + cols + " columns of " + name);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long end = offset + (long) (rows - 1) * ld + cols;
        if (end > array.length) {
            throw new IllegalArgumentException(name + " needs " + end + " elements (offset " + offset + ", "
                    + rows + " x " + cols + ", ld " + ld + ") but has " + array.length);
        }
    }

    private static void checkLength(String name, float[] array, long needed) {
        Objects.requireNonNull(array, name);
        if (needed < 0) {
            throw new IllegalArgumentException(name + ": negative size " + needed);
        }
        if (array.length < needed) {
            throw new IllegalArgumentException(name + " needs " + needed + " elements but has " + array.length);
        }
    }

    private static void checkSoftmax(int rows, int cols, float[] x, float[] out) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("softmax of an empty " + rows + " x " + cols + " matrix");
        }
        checkLength("x", x, (long) rows * cols);
        checkLength("out", out, (long) rows * cols);
    }

    /** Returns the number of rows the groups cover. */
    private static int checkGroups(int groups, int[] groupStart) {
        Objects.requireNonNull(groupStart, "groupStart");
        if (groups < 0 || groupStart.length < groups + 1) {
            throw new IllegalArgumentException("groupStart needs " + (groups + 1) + " entries, has " + groupStart.length);
        }
        if (groupStart[0] != 0) {
            throw new IllegalArgumentException("groupStart[0] must be 0, got " + groupStart[0]);
        }
        for (int g = 0; g < groups; g++) {
            if (groupStart[g + 1] <= groupStart[g]) {
                throw new IllegalArgumentException("group " + g + " is empty or reversed: rows "
                        + groupStart[g] + " .. " + groupStart[g + 1]);
            }
        }
        return groupStart[groups];
    }

    private static void checkIds(int n, int[] ids, int cols, float[] table) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(table, "table");
        if (n < 0 || ids.length < n) {
            throw new IllegalArgumentException("ids needs " + n + " entries, has " + ids.length);
        }
        long tableRows = cols == 0 ? Long.MAX_VALUE : table.length / cols;
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= tableRows) {
                throw new IllegalArgumentException("ids[" + i + "] = " + ids[i] + " is outside the table's "
                        + tableRows + " rows");
            }
        }
    }
}
