package dev.clipengine.training;

import dev.clipengine.model.Batch;

/**
 * Where a training step's loss and gradients are computed for the {@link Trainer}, which then
 * clips, updates and clamps: in this process ({@link InProcessEngine}) or spread over workers,
 * each taking a share of the global batch. Every engine computes the same loss, over the whole
 * global batch, and writes the same gradients into the trainer's graph; only the order of sums may
 * differ.
 */
public interface StepEngine extends AutoCloseable {

    /**
     * Whether the trainer fills each step's {@link Batch} in this process; an engine whose workers
     * read the pairs themselves says no, and gets the step's pair indices alone.
     */
    boolean needsBatches();

    /**
     * The loss of one step's global batch: the training pairs {@code order[from .. from + count)}
     * of epoch {@code epoch} (0-based), which {@code batch} holds when {@link #needsBatches()}. An
     * engine that needs batches reads the batch alone: filling a step ahead, the trainer may
     * already have drawn the next epoch's order.
     */
    double forward(Batch batch, long epoch, int[] order, int from, int count);

    /** Writes the gradient of the last {@link #forward}'s loss into the trainer's graph's gradients. */
    void backward();

    /** One line on where the steps' time went so far, or null where there is nothing to add. */
    default String timeReport() {
        return null;
    }

    /** Releases what the engine holds beyond the trainer's graph (workers, connections). */
    @Override
    default void close() {
    }
}
