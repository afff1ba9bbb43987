package dev.clipengine.kernels;

/**
 * The reference math of the transformer's operators, for {@link ScalarBackend}: plain loops with
 * sums and transcendental functions in double, written to be read. Layouts are those of
 * {@link Backend#layerNorm}, {@link Backend#activation} and {@link Backend#attention}. Its
 * scratch grows to the largest call and is then reused, so a warm step allocates nothing.
 */
final class ScalarTransformerKernels {

    private double[] scratch = new double[0];

    /** LayerNorm's epsilon, PyTorch's default and CLIP's. */
    static final double LAYER_NORM_EPSILON = 1e-5;
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private double[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new double[size];
        }
        return scratch;
    }

    void layerNorm(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean,
                          float[] rstd) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += x[row + c];
            }
            double mu = sum / cols;
            double squares = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[row + c] - mu;
                squares += d * d;
            }
            double inverse = 1 / Math.sqrt(squares / cols + LAYER_NORM_EPSILON);
            for (int c = 0; c < cols; c++) {
                y[row + c] = (float) ((x[row + c] - mu) * inverse * gamma[c] + beta[c]);
            }
            mean[r] = (float) mu;
            rstd[r] = (float) inverse;
        }
    }

    /**
     * With {@code xhat = (x - mean) rstd} and {@code g = dy gamma}:
     * {@code dx += rstd (g - mean(g) - xhat mean(g xhat))}, {@code dGamma = sum dy xhat},
     * {@code dBeta = sum dy} over the rows.
     */
    void layerNormBackward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
                                  float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        double[] sums = scratch(2 * cols);
        java.util.Arrays.fill(sums, 0, 2 * cols, 0);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double meanG = 0;
            double meanGXhat = 0;
            for (int c = 0; c < cols; c++) {
                double xhat = (x[row + c] - (double) mean[r]) * rstd[r];
                double g = (double) dy[row + c] * gamma[c];
                meanG += g;
                meanGXhat += g * xhat;
                sums[c] += (double) dy[row + c] * xhat;
                sums[cols + c] += dy[row + c];
            }
            meanG /= cols;
            meanGXhat /= cols;
            for (int c = 0; c < cols; c++) {
                double xhat = (x[row + c] - (double) mean[r]) * rstd[r];
                double g = (double) dy[row + c] * gamma[c];
                dx[row + c] = (float) (dx[row + c] + rstd[r] * (g - meanG - xhat * meanGXhat));
            }
        }
        for (int c = 0; c < cols; c++) {
            dGamma[c] = (float) sums[c];
            dBeta[c] = (float) sums[cols + c];
        }
    }

    void activation(Activation kind, int n, float[] x, float[] y) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            y[i] = (float) (kind == Activation.GELU ? v * normalCdf(v) : v * sigmoid(Activation.QUICK_GELU_FACTOR * v));
        }
    }

    void activationBackward(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double slope;
            if (kind == Activation.GELU) {
                slope = normalCdf(v) + v * INV_SQRT_2PI * StrictMath.exp(-0.5 * v * v);
            } else {
                double s = sigmoid(Activation.QUICK_GELU_FACTOR * v);
                slope = s + Activation.QUICK_GELU_FACTOR * v * s * (1 - s);
            }
            dx[i] = (float) (dy[i] * slope);
        }
    }

    void attention(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                          float[] probs, float[] out) {
        int width = heads * headWidth;
        int stride = 3 * width;
        double scale = 1 / Math.sqrt(headWidth);
        double[] scores = scratch(length);
        for (int s = 0; s < sequences; s++) {
            for (int h = 0; h < heads; h++) {
                int q = s * length * stride + h * headWidth;
                int k = q + width;
                int v = q + 2 * width;
                for (int i = 0; i < length; i++) {
                    int keys = causal ? i + 1 : length;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < keys; j++) {
                        double dot = 0;
                        for (int d = 0; d < headWidth; d++) {
                            dot += (double) qkv[q + i * stride + d] * qkv[k + j * stride + d];
                        }
                        scores[j] = dot * scale;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < keys; j++) {
                        scores[j] = StrictMath.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    int p = ((s * heads + h) * length + i) * length;
                    for (int j = 0; j < length; j++) {
                        // masked keys get exactly 0, as softmax over -inf does
                        probs[p + j] = j < keys ? (float) (scores[j] / sum) : 0f;
                    }
                    for (int d = 0; d < headWidth; d++) {
                        double acc = 0;
                        for (int j = 0; j < keys; j++) {
                            acc += (scores[j] / sum) * qkv[v + j * stride + d];
                        }
                        out[(s * length + i) * width + h * headWidth + d] = (float) acc;
                    }
                }
            }
        }
    }

    /**
     * With P the probabilities and dO the output's gradient: {@code dV = P^T dO},
     * {@code dP = dO V^T}, {@code dS = P (dP - rowsum(P dP))}, {@code dQ = scale dS K},
     * {@code dK = scale dS^T Q}.
     */
    void attentionBackward(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                                  float[] probs, float[] dOut, float[] dQkv) {
        int width = heads * headWidth;
        int stride = 3 * width;
        double scale = 1 / Math.sqrt(headWidth);
        double[] dScores = scratch(length * length);
        for (int s = 0; s < sequences; s++) {
            for (int h = 0; h < heads; h++) {
                int q = s * length * stride + h * headWidth;
                int k = q + width;
                int v = q + 2 * width;
                int o = s * length * width + h * headWidth;
                int p = (s * heads + h) * length * length;
                for (int i = 0; i < length; i++) {
                    double weighted = 0;
                    for (int j = 0; j < length; j++) {
                        double dp = 0;
                        for (int d = 0; d < headWidth; d++) {
                            dp += (double) dOut[o + i * width + d] * qkv[v + j * stride + d];
                        }
                        dScores[i * length + j] = dp;
                        weighted += probs[p + i * length + j] * dp;
                    }
                    for (int j = 0; j < length; j++) {
                        dScores[i * length + j] = probs[p + i * length + j] * (dScores[i * length + j] - weighted);
                    }
                }
                for (int d = 0; d < headWidth; d++) {
                    for (int i = 0; i < length; i++) {
                        double dq = 0;
                        for (int j = 0; j < length; j++) {
                            dq += dScores[i * length + j] * qkv[k + j * stride + d];
                        }
                        dQkv[q + i * stride + d] = (float) (dq * scale);
                    }
                    for (int j = 0; j < length; j++) {
                        double dk = 0;
                        double dv = 0;
                        for (int i = 0; i < length; i++) {
                            dk += dScores[i * length + j] * qkv[q + i * stride + d];
                            dv += (double) probs[p + i * length + j] * dOut[o + i * width + d];
                        }
                        dQkv[k + j * stride + d] = (float) (dk * scale);
                        dQkv[v + j * stride + d] = (float) dv;
                    }
                }
            }
        }
    }

    static double sigmoid(double z) {
        return 1 / (1 + StrictMath.exp(-z));
    }

    /** The standard normal CDF, {@code (1 + erf(x / sqrt 2)) / 2}. */
    static double normalCdf(double x) {
        return 0.5 * (1 + erf(x * SQRT_HALF));
    }

    /**
     * erf to about 1e-15: {@code 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1 3 5 ... (2n+1))}, a
     * series of positive terms (no cancellation) that converges for every x; beyond |x| = 6 erf
     * is +-1 in double.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.signum(x);
        }
        double term = a;
        double sum = a;
        for (int n = 1; term > 1e-17 * sum; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        double result = 2 / Math.sqrt(Math.PI) * StrictMath.exp(-a * a) * sum;
        return x < 0 ? -result : result;
    }
}
