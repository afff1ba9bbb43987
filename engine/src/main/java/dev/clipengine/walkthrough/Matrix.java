package dev.clipengine.walkthrough;

import java.util.Arrays;

/** A small row-major matrix of values captured from a step: a copy, so later steps cannot change it. */
public record Matrix(float[] values, int rows, int cols) {

    public Matrix {
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(rows + "x" + cols + " matrix with " + values.length + " values");
        }
        values = values.clone();
    }

    /** The leading {@code rows * cols} values of a (longer) buffer. */
    public static Matrix of(float[] buffer, int rows, int cols) {
        return new Matrix(Arrays.copyOf(buffer, rows * cols), rows, cols);
    }

    public static Matrix identity(int n) {
        float[] values = new float[n * n];
        for (int i = 0; i < n; i++) {
            values[i * n + i] = 1;
        }
        return new Matrix(values, n, n);
    }

    /** Rows {@code from .. from+count-1}. */
    public Matrix rows(int from, int count) {
        return new Matrix(Arrays.copyOfRange(values, from * cols, (from + count) * cols), count, cols);
    }

    public float get(int row, int col) {
        return values[row * cols + col];
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    public Matrix plus(Matrix other) {
        return combine(other, 1);
    }

    public Matrix minus(Matrix other) {
        return combine(other, -1);
    }

    private Matrix combine(Matrix other, float sign) {
        if (rows != other.rows || cols != other.cols) {
            throw new IllegalArgumentException(rows + "x" + cols + " and " + other.rows + "x" + other.cols);
        }
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += sign * other.values[i];
        }
        return new Matrix(out, rows, cols);
    }

    public Matrix transpose() {
        float[] t = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = values[r * cols + c];
            }
        }
        return new Matrix(t, cols, rows);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && rows == m.rows && cols == m.cols && Arrays.equals(values, m.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return rows + "x" + cols + " " + Arrays.toString(values);
    }
}
