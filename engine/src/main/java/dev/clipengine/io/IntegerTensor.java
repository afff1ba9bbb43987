package dev.clipengine.io;

import java.util.Arrays;

/**
 * A tensor of integers as a safetensors file holds it: bytes ({@code U8}) or 64-bit signed
 * integers ({@code I64}), row-major. Model weights are always floats ({@link dev.clipengine.model.Tensor});
 * these carry what is not a weight, such as the UTF-8 text of many names and the offsets into it.
 */
public sealed interface IntegerTensor {

    String name();

    /** The dimensions; their product is the number of values. */
    int[] shape();

    /** The safetensors dtype: {@code U8} or {@code I64}. */
    String dtype();

    /** The number of values. */
    int size();

    /** Unsigned bytes, e.g. UTF-8 text. */
    record U8(String name, int[] shape, byte[] values) implements IntegerTensor {
        public U8 {
            requireShape(name, shape, values.length);
        }

        /** A one-dimensional tensor of the bytes. */
        public U8(String name, byte[] values) {
            this(name, new int[] {values.length}, values);
        }

        @Override
        public String dtype() {
            return "U8";
        }

        @Override
        public int size() {
            return values.length;
        }
    }

    /** Signed 64-bit integers, e.g. offsets, sizes or times. */
    record I64(String name, int[] shape, long[] values) implements IntegerTensor {
        public I64 {
            requireShape(name, shape, values.length);
        }

        /** A one-dimensional tensor of the values. */
        public I64(String name, long[] values) {
            this(name, new int[] {values.length}, values);
        }

        @Override
        public String dtype() {
            return "I64";
        }

        @Override
        public int size() {
            return values.length;
        }
    }

    private static void requireShape(String name, int[] shape, int length) {
        if (dev.clipengine.model.Tensor.size(shape) != length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not hold "
                    + length + " values");
        }
    }
}
