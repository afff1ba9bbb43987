package dev.clipengine.kernels;

/**
 * The reference backend: plain loops written to be read, single-threaded. Sums run in double and
 * exponentials use {@link StrictMath}, so its results are the most accurate of all backends and
 * the same on every JVM; every other backend is tested against it.
 */
public final class ScalarBackend extends CheckedBackend {

    private final ScalarTransformerKernels transformer = new ScalarTransformerKernels();

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public String describe() {
        return "scalar (plain Java loops, reference), 1 thread";
    }

    @Override
    protected void sgemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float bpj = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    sum += (double) aip * bpj;
                }
                int ij = cOffset + i * ldc + j;
                // beta == 0 must not read C: it may hold NaN
                double previous = beta == 0f ? 0 : (double) beta * c[ij];
                c[ij] = (float) (alpha * sum + previous);
            }
        }
    }

    @Override
    protected void addBiasKernel(int rows, int cols, float[] x, float[] bias) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                x[r * cols + c] += bias[c];
            }
        }
    }

    @Override
    protected void biasBackwardKernel(int rows, int cols, float[] dy, float[] dBias) {
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += dy[r * cols + c];
            }
            dBias[c] = (float) sum;
        }
    }

    @Override
    protected void reluKernel(int n, float[] x) {
        for (int i = 0; i < n; i++) {
            // Math.max keeps NaN, as PyTorch does, so a broken weight shows in the loss; -0 becomes +0
            x[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    protected void reluBackwardKernel(int n, float[] y, float[] dy) {
        for (int i = 0; i < n; i++) {
            if (!(y[i] > 0f)) {
                dy[i] = 0f;
            }
        }
    }

    @Override
    protected void meanPoolKernel(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        for (int g = 0; g < groups; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            for (int c = 0; c < cols; c++) {
                double sum = 0;
                for (int r = from; r < to; r++) {
                    sum += x[r * cols + c];
                }
                out[g * cols + c] = (float) (sum / (to - from));
            }
        }
    }

    @Override
    protected void meanPoolBackwardKernel(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        for (int g = 0; g < groups; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            for (int r = from; r < to; r++) {
                for (int c = 0; c < cols; c++) {
                    dx[r * cols + c] = (float) ((double) dOut[g * cols + c] / (to - from));
                }
            }
        }
    }

    @Override
    protected void softmaxRowsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        for (int r = 0; r < rows; r++) {
            logSumExp[r] = softmax(x, out, r * cols, 1, cols);
        }
    }

    @Override
    protected void softmaxColumnsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        for (int c = 0; c < cols; c++) {
            logSumExp[c] = softmax(x, out, c, cols, rows);
        }
    }

    /** Softmax of the count elements x[start + i * stride]; returns their log-sum-exp. */
    private static float softmax(float[] x, float[] out, int start, int stride, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, x[start + i * stride]);
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += StrictMath.exp(x[start + i * stride] - max);
        }
        for (int i = 0; i < count; i++) {
            out[start + i * stride] = (float) (StrictMath.exp(x[start + i * stride] - max) / sum);
        }
        return (float) (max + StrictMath.log(sum));
    }

    @Override
    protected void l2NormalizeKernel(int rows, int cols, float[] x, float[] y, float[] norms) {
        for (int r = 0; r < rows; r++) {
            double sumSquares = 0;
            for (int c = 0; c < cols; c++) {
                sumSquares += (double) x[r * cols + c] * x[r * cols + c];
            }
            double norm = Math.sqrt(sumSquares);
            double divisor = Math.max(norm, NORM_EPSILON);
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (float) (x[r * cols + c] / divisor);
            }
            norms[r] = (float) norm;
        }
    }

    @Override
    protected void l2NormalizeBackwardKernel(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        for (int r = 0; r < rows; r++) {
            if (norms[r] > NORM_EPSILON) {
                double dot = 0;
                for (int c = 0; c < cols; c++) {
                    dot += (double) y[r * cols + c] * dy[r * cols + c];
                }
                for (int c = 0; c < cols; c++) {
                    dx[r * cols + c] = (float) ((dy[r * cols + c] - y[r * cols + c] * dot) / norms[r]);
                }
            } else {
                // the clamp makes the map linear: y = x / 1e-12
                for (int c = 0; c < cols; c++) {
                    dx[r * cols + c] = (float) (dy[r * cols + c] / NORM_EPSILON);
                }
            }
        }
    }

    @Override
    protected void gatherKernel(int n, int[] ids, int cols, float[] table, float[] out) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(table, ids[i] * cols, out, i * cols, cols);
        }
    }

    @Override
    protected void scatterAddKernel(int n, int[] ids, int cols, float[] dOut, float[] dTable) {
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < cols; c++) {
                dTable[ids[i] * cols + c] += dOut[i * cols + c];
            }
        }
    }

    @Override
    protected void sgdStepKernel(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                                 float weightDecay) {
        for (int i = 0; i < n; i++) {
            float grad = g[i] + weightDecay * w[i];
            if (momentum != 0f) {
                momentumBuffer[i] = momentum * momentumBuffer[i] + grad;
                grad = momentumBuffer[i];
            }
            w[i] -= lr * grad;
        }
    }

    @Override
    protected void adamwStepKernel(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
                                   float beta2, float eps, float weightDecay, float biasCorrection1,
                                   float biasCorrection2) {
        float decay = 1f - lr * weightDecay;
        float stepSize = lr / biasCorrection1;
        float sqrtBiasCorrection2 = (float) Math.sqrt(biasCorrection2);
        for (int i = 0; i < n; i++) {
            w[i] *= decay;
            // PyTorch writes the first moment as a lerp towards g
            m[i] += (1f - beta1) * (g[i] - m[i]);
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            float denominator = (float) Math.sqrt(v[i]) / sqrtBiasCorrection2 + eps;
            w[i] -= stepSize * (m[i] / denominator);
        }
    }

    /** PyTorch's {@code F.normalize} clamp on the norm. */
    static final double NORM_EPSILON = 1e-12;

    @Override
    protected void layerNormKernel(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y,
                                   float[] mean, float[] rstd) {
        transformer.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd);
    }

    @Override
    protected void layerNormBackwardKernel(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
                                           float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        transformer.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
    }

    @Override
    protected void activationKernel(Activation kind, int n, float[] x, float[] y) {
        transformer.activation(kind, n, x, y);
    }

    @Override
    protected void activationBackwardKernel(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        transformer.activationBackward(kind, n, x, dy, dx);
    }

    @Override
    protected void attentionKernel(int sequences, int length, int heads, int headWidth, boolean causal,
                                   float[] qkv, float[] probs, float[] out) {
        transformer.attention(sequences, length, heads, headWidth, causal, qkv, probs, out);
    }

    @Override
    protected void attentionBackwardKernel(int sequences, int length, int heads, int headWidth, boolean causal,
                                           float[] qkv, float[] probs, float[] dOut, float[] dQkv) {
        transformer.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs, dOut,
                dQkv);
    }
}
