package dev.clipengine.training;

import dev.clipengine.model.Tensor;

/**
 * A tensor the optimizer updates, with its gradient. Weight decay applies to tensors of two or
 * more dimensions only (never to biases or the logit scale), as in CLIP's recipes.
 */
public record TrainedTensor(Tensor parameter, Tensor gradient) {

    public boolean decays() {
        return parameter.rank() >= 2;
    }

    public int size() {
        return parameter.size();
    }

    public String name() {
        return parameter.name();
    }
}
