package dev.clipengine.training;

import dev.clipengine.model.Tensor;

import java.util.List;

/**
 * Tensors laid end to end in one array, in the model's order: how weights and gradients travel
 * between a data-parallel trainer's driver and its workers.
 */
public final class FlatTensors {

    private FlatTensors() {
    }

    /** The number of values of all the tensors together. */
    public static int size(List<Tensor> tensors) {
        long size = 0;
        for (Tensor t : tensors) {
            size += t.size();
        }
        return Math.toIntExact(size);
    }

    /** Copies the tensors' values into {@code flat}, which must hold {@link #size} values. */
    public static void copyInto(List<Tensor> tensors, float[] flat) {
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.data(), 0, flat, at, t.size());
            at += t.size();
        }
    }

    /** The tensors' values in a new array. */
    public static float[] of(List<Tensor> tensors) {
        float[] flat = new float[size(tensors)];
        copyInto(tensors, flat);
        return flat;
    }

    /** Overwrites the tensors' values with {@code flat}'s, laid out as {@link #copyInto} does. */
    public static void copyFrom(float[] flat, List<Tensor> tensors) {
        if (flat.length != size(tensors)) {
            throw new IllegalArgumentException(flat.length + " values for tensors of " + size(tensors));
        }
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(flat, at, t.data(), 0, t.size());
            at += t.size();
        }
    }
}
