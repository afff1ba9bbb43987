package dev.clipengine.training;

import dev.clipengine.model.Tensor;

import java.util.List;

/** Updates the trained tensors from their gradients, PyTorch's way (docs/model.md). */
public interface Optimizer {

    /** One update of every trained tensor at learning rate lr. */
    void step(float lr);

    /** The number of steps taken. */
    long steps();

    /** The optimizer's per-tensor state, named {@code optimizer.<moment>.<tensor name>}, for checkpoints. */
    List<Tensor> state();

    /**
     * Continues from a checkpoint: the step count and every tensor {@link #state()} names, from
     * {@code saved}; a missing or misshapen one is bad input naming it.
     */
    void restore(long steps, java.util.Map<String, Tensor> saved, String source);

    /** One line: the optimizer and its hyper-parameters. */
    String describe();
}
