package dev.clipengine.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One gradient tensor per model tensor, same name and shape, allocated once and overwritten every step. */
public final class Gradients {

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final boolean present;

    public Gradients(ClipModel model) {
        this(model, true);
    }

    private Gradients(ClipModel model, boolean present) {
        this.present = present;
        for (Tensor t : model.tensors()) {
            tensors.put(t.name(), present ? Tensor.zeros(t.name(), t.shape()) : Tensor.zeros(t.name(), 0));
        }
    }

    /**
     * No gradients, for a graph that only encodes: every tensor is empty, so a model of any size
     * costs nothing here (a ViT-B-32's would take its 600 MB again).
     */
    static Gradients none(ClipModel model) {
        return new Gradients(model, false);
    }

    /** Whether the gradients are there to be computed (false for a graph that only encodes). */
    boolean present() {
        return present;
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
