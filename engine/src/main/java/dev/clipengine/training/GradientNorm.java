package dev.clipengine.training;

import java.util.List;

/**
 * The global L2 norm of every trained tensor's gradient, {@code logit_scale} included, and
 * PyTorch's {@code clip_grad_norm_} on it (docs/model.md). Sums run in double in tensor order,
 * so the norm repeats exactly; a non-finite gradient makes the norm non-finite.
 */
final class GradientNorm {

    private GradientNorm() {
    }

    static double global(List<TrainedTensor> trained) {
        double sumOfSquares = 0;
        for (TrainedTensor t : trained) {
            float[] g = t.gradient().data();
            int n = t.size();
            for (int i = 0; i < n; i++) {
                sumOfSquares += (double) g[i] * g[i];
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /** The name of the first tensor whose gradient holds NaN or an infinity, or null. */
    static String firstNonFinite(List<TrainedTensor> trained) {
        for (TrainedTensor t : trained) {
            float[] g = t.gradient().data();
            for (int i = 0; i < t.size(); i++) {
                if (!Float.isFinite(g[i])) {
                    return t.name();
                }
            }
        }
        return null;
    }

    /** Scales every gradient by {@code maxNorm / (norm + 1e-6)} when that is below 1, as PyTorch does. */
    static void clip(List<TrainedTensor> trained, double norm, double maxNorm) {
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient >= 1) {
            return;
        }
        float scale = (float) coefficient;
        for (TrainedTensor t : trained) {
            float[] g = t.gradient().data();
            for (int i = 0; i < t.size(); i++) {
                g[i] *= scale;
            }
        }
    }
}
