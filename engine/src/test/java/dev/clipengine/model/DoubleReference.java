package dev.clipengine.model;


import java.util.Map;

/**
 * The model's loss written again, directly and in double precision, independent of the
 * engine's kernels: the function every analytic gradient is checked against.
 */
final class DoubleReference {

    private DoubleReference() {
    }

    static double loss(MlpConfig c, Map<String, double[]> p, Batch batch) {
        int n = batch.size();
        double[][] v = new double[n][];
        double[][] t = new double[n][];
        int np = c.patchesPerImage();
        int pd = c.patchDim();
        for (int k = 0; k < n; k++) {
            double[][] patches = new double[np][pd];
            for (int r = 0; r < np; r++) {
                for (int d = 0; d < pd; d++) {
                    patches[r][d] = batch.patches[(k * np + r) * pd + d];
                }
            }
            v[k] = tower(patches, p.get(ClipModel.IMAGE_ENCODER_WEIGHT), p.get(ClipModel.IMAGE_ENCODER_BIAS),
                    p.get(ClipModel.IMAGE_PROJECTION_WEIGHT), p.get(ClipModel.IMAGE_PROJECTION_BIAS),
                    c.imageHidden(), c.embedDim(), c.normalize());
            int from = batch.tokenStart[k];
            int to = batch.tokenStart[k + 1];
            double[][] words = new double[to - from][c.wordDim()];
            for (int r = from; r < to; r++) {
                for (int d = 0; d < c.wordDim(); d++) {
                    words[r - from][d] = p.get(ClipModel.TOKEN_EMBEDDING)[batch.tokenIds[r] * c.wordDim() + d];
                }
            }
            t[k] = tower(words, p.get(ClipModel.TEXT_ENCODER_WEIGHT), p.get(ClipModel.TEXT_ENCODER_BIAS),
                    p.get(ClipModel.TEXT_PROJECTION_WEIGHT), p.get(ClipModel.TEXT_PROJECTION_BIAS),
                    c.textHidden(), c.embedDim(), c.normalize());
        }
        double scale = Math.exp(p.get(ClipModel.LOGIT_SCALE)[0]);
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                logits[i][j] = scale * dot(v[i], t[j]);
            }
        }
        double rows = 0;
        double columns = 0;
        for (int i = 0; i < n; i++) {
            double[] row = new double[n];
            double[] column = new double[n];
            for (int j = 0; j < n; j++) {
                row[j] = logits[i][j];
                column[j] = logits[j][i];
            }
            rows += logSumExp(row) - logits[i][i];
            columns += logSumExp(column) - logits[i][i];
        }
        return (rows / n + columns / n) / 2;
    }

    private static double[] tower(double[][] x, double[] encW, double[] encB, double[] projW, double[] projB,
                                  int hidden, int embed, boolean normalize) {
        int in = x[0].length;
        double[] pooled = new double[hidden];
        for (double[] row : x) {
            for (int h = 0; h < hidden; h++) {
                double s = encB[h];
                for (int d = 0; d < in; d++) {
                    s += encW[h * in + d] * row[d];
                }
                pooled[h] += Math.max(s, 0) / x.length;
            }
        }
        double[] out = new double[embed];
        for (int e = 0; e < embed; e++) {
            double s = projB[e];
            for (int h = 0; h < hidden; h++) {
                s += projW[e * hidden + h] * pooled[h];
            }
            out[e] = s;
        }
        if (normalize) {
            double norm = Math.max(Math.sqrt(dot(out, out)), 1e-12);
            for (int e = 0; e < embed; e++) {
                out[e] /= norm;
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }
}
