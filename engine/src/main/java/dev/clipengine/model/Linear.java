package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

/** A PyTorch-style Linear, {@code y = x W^T + b} with W stored {@code [out, in]}, over many rows at once. */
final class Linear {

    private Linear() {
    }

    /** y[rows, out] = x[rows, in] W^T + b. */
    static void forward(Backend backend, int rows, int in, int out, float[] x, float[] weight, float[] bias,
                        float[] y) {
        backend.sgemm(false, true, rows, out, in, 1f, x, 0, in, weight, 0, in, 0f, y, 0, out);
        backend.addBias(rows, out, y, bias);
    }

    /** y[rows, out] += x[rows, in] W^T + b: a residual branch added onto the stream it leaves. */
    static void addForward(Backend backend, int rows, int in, int out, float[] x, float[] weight, float[] bias,
                           float[] y) {
        backend.sgemm(false, true, rows, out, in, 1f, x, 0, in, weight, 0, in, 1f, y, 0, out);
        backend.addBias(rows, out, y, bias);
    }

    /**
     * Overwrites dWeight = dy^T x and dBias = the column sums of dy; and, when dx is not null,
     * dx = dy W.
     */
    static void backward(Backend backend, int rows, int in, int out, float[] x, float[] weight, float[] dy,
                         float[] dWeight, float[] dBias, float[] dx) {
        backend.sgemm(true, false, out, in, rows, 1f, dy, 0, out, x, 0, in, 0f, dWeight, 0, in);
        backend.biasBackward(rows, out, dy, dBias);
        if (dx != null) {
            backend.sgemm(false, false, rows, in, out, 1f, dy, 0, out, weight, 0, in, 0f, dx, 0, in);
        }
    }
}
