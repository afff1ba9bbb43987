package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

/**
 * CLIP's symmetric contrastive loss over a batch of n pairs (docs/model.md): logits
 * {@code scale * v_i . t_j} (rows images, columns captions), cross-entropy with the diagonal as
 * target both along rows (image to text) and along columns (text to image), averaged. Public so a
 * data-parallel trainer can score a global batch whose embeddings its workers computed.
 */
public final class ContrastiveHead {

    private final float[] logits;
    private final float[] rowProbabilities;
    private final float[] columnProbabilities;
    private final float[] rowLogSumExp;
    private final float[] columnLogSumExp;
    private final float[] dLogits;

    public ContrastiveHead(int maxBatch) {
        int cells = Math.multiplyExact(maxBatch, maxBatch);
        logits = new float[cells];
        rowProbabilities = new float[cells];
        columnProbabilities = new float[cells];
        dLogits = new float[cells];
        rowLogSumExp = new float[maxBatch];
        columnLogSumExp = new float[maxBatch];
    }

    /** The loss of image embeddings v and caption embeddings t (both {@code [n, dim]}). */
    public double forward(Backend backend, int n, int dim, float[] v, float[] t, float scale) {
        backend.sgemm(false, true, n, n, dim, scale, v, 0, dim, t, 0, dim, 0f, logits, 0, n);
        backend.softmaxRows(n, n, logits, rowProbabilities, rowLogSumExp);
        backend.softmaxColumns(n, n, logits, columnProbabilities, columnLogSumExp);
        // -log softmax(logits)[i][i] = logSumExp_i - logits[i][i], never log(0)
        double imageToText = 0;
        double textToImage = 0;
        for (int i = 0; i < n; i++) {
            imageToText += rowLogSumExp[i] - logits[i * n + i];
            textToImage += columnLogSumExp[i] - logits[i * n + i];
        }
        return (imageToText / n + textToImage / n) / 2;
    }

    /**
     * Writes dV and dT (both {@code [n, dim]}) for the last forward and returns the gradient of
     * the loss w.r.t. the log of the scale.
     */
    public double backward(Backend backend, int n, int dim, float[] v, float[] t, float scale, float[] dV, float[] dT) {
        // the card's [Similarity - Target] in both directions, each averaged over its n rows, then halved;
        // the off-diagonal cells first in one plain loop the JIT vectorizes, then the diagonal's target
        float weight = 1f / (2f * n);
        int cells = n * n;
        for (int ij = 0; ij < cells; ij++) {
            dLogits[ij] = (rowProbabilities[ij] + columnProbabilities[ij]) * weight;
        }
        for (int i = 0; i < n; i++) {
            int ii = i * n + i;
            dLogits[ii] = (rowProbabilities[ii] + columnProbabilities[ii] - 2f) * weight;
        }
        backend.sgemm(false, false, n, dim, n, scale, dLogits, 0, n, t, 0, dim, 0f, dV, 0, dim);
        backend.sgemm(true, false, n, dim, n, scale, dLogits, 0, n, v, 0, dim, 0f, dT, 0, dim);
        // d loss / d logit_scale = sum_ij dLogits_ij logits_ij, as logits = exp(logit_scale) v_i . t_j;
        // the same sum is sum_i v_i . dV_i (dV_i = scale sum_j dLogits_ij t_j): n dim terms, not n^2
        double dLogScale = 0;
        for (int i = 0; i < n * dim; i++) {
            dLogScale += (double) v[i] * dV[i];
        }
        return dLogScale;
    }

    /** The logits of the last forward, {@code [n, n]} row-major (valid until the next call). */
    float[] logits() {
        return logits;
    }

    /** Each row's softmax (image to text), {@code [n, n]}. */
    float[] rowProbabilities() {
        return rowProbabilities;
    }

    /** Each column's softmax (text to image), {@code [n, n]}. */
    float[] columnProbabilities() {
        return columnProbabilities;
    }

    /** {@code log sum_j exp logits[i][j]} of each row i. */
    float[] rowLogSumExp() {
        return rowLogSumExp;
    }

    /** {@code log sum_i exp logits[i][j]} of each column j. */
    float[] columnLogSumExp() {
        return columnLogSumExp;
    }

    /** The gradient of the loss w.r.t. the logits, written by the last backward. */
    float[] dLogits() {
        return dLogits;
    }
}
