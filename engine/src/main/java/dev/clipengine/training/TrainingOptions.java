package dev.clipengine.training;

/**
 * How to train (docs/model.md). Exactly one of steps and epochs is positive.
 *
 * @param optimizer   {@code adamw} or {@code sgd}
 * @param schedule    {@code constant} or {@code cosine}
 * @param warmup      warmup steps of the cosine schedule; negative for the default, see {@link Trainer#DEFAULT_WARMUP}
 * @param clipGrad    scale gradients to at most this global L2 norm; 0 for no clipping
 * @param skipNonFinite how many steps with a non-finite loss or gradient may be skipped (not applied)
 *                      before training stops
 * @param freezeWordVectors keep the token embedding table fixed (pre-trained word vectors)
 */
public record TrainingOptions(long steps, int epochs, int batchSize, double learningRate, String optimizer,
                              float momentum, float weightDecay, double beta1, double beta2, float eps, long seed,
                              boolean shuffle, String schedule, long warmup, double clipGrad, int skipNonFinite,
                              java.util.Set<FrozenPart> frozen) {

    public TrainingOptions {
        if ((steps > 0) == (epochs > 0)) {
            throw new IllegalArgumentException("exactly one of steps and epochs must be positive");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        frozen = frozen.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(java.util.EnumSet.copyOf(frozen));
    }

    /** The number of steps over a training set of the given size: full batches only. */
    public long totalSteps(int trainingPairs) {
        return steps > 0 ? steps : (long) epochs * (trainingPairs / batchSize);
    }
}
