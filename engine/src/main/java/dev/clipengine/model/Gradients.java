package dev.clipengine.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One gradient tensor per model tensor, same name and shape, allocated once and overwritten every step. */
public final class Gradients {

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public Gradients(ClipModel model) {
        for (Tensor t : model.tensors()) {
            tensors.put(t.name(), Tensor.zeros(t.name(), t.shape()));
        }
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no gradient " + name);
        }
        return t;
    }

    float[] data(String name) {
        return get(name).data();
    }

    /** In the model's tensor order. */
    public List<Tensor> tensors() {
        return List.copyOf(tensors.values());
    }
}
