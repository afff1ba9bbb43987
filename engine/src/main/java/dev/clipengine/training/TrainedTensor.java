package dev.clipengine.training;

import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerTensors;

/**
 * A tensor the optimizer updates, with its gradient. Weight decay applies to tensors of two or
 * more dimensions only (never to biases, LayerNorm or the logit scale), and not to the
 * transformer's positional embeddings, as in open_clip's recipes.
 */
public record TrainedTensor(Tensor parameter, Tensor gradient) {

    public boolean decays() {
        return parameter.rank() >= 2 && !TransformerTensors.NO_WEIGHT_DECAY.contains(parameter.name());
    }

    public int size() {
        return parameter.size();
    }

    public String name() {
        return parameter.name();
    }
}
