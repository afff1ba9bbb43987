package dev.clipengine.model;

import java.util.Arrays;

/** A named, row-major float tensor. A scalar has shape {@code []} and one element. */
public final class Tensor {

    private final String name;
    private final int[] shape;
    private final float[] data;

    public Tensor(String name, int[] shape, float[] data) {
        long size = size(shape);
        if (size != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size
                    + " elements, data has " + data.length);
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, new float[Math.toIntExact(size(shape))]);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** The backing array, shared: writes go to the tensor. */
    public float[] data() {
        return data;
    }

    public int size() {
        return data.length;
    }

    /** The number of elements of a shape; -1 where it overflows a long or has a negative dimension. */
    public static long size(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                return -1;
            }
            size = size * d;
            if (size > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return size;
    }


    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
