package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A linear layer's bias ({@link Backend#addBias}), added to blocks of rows over the worker pool,
 * and its gradient ({@link Backend#biasBackward}), each column summed over its rows in order. A
 * ViT's layers pass 17 M activations through each.
 */
final class VectorBias implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    /** Rows a part of addBias takes, at most. */
    private static final int ROWS_PER_PART = 64;

    private final WorkerPool pool;

    // the addBias call in progress, read by run(part, worker)
    private int rows;
    private int cols;
    private int rowsPerPart;
    private float[] x;
    private float[] bias;

    VectorBias(WorkerPool pool) {
        this.pool = pool;
    }

    /** {@code x[r][c] += bias[c]}. */
    void add(int rows, int cols, float[] x, float[] bias) {
        boolean split = (long) rows * cols >= (long) pool.threads() * VectorBackend.PARALLEL_MIN_ELEMENTS;
        this.rows = rows;
        this.cols = cols;
        this.rowsPerPart = split ? ROWS_PER_PART : rows;
        this.x = x;
        this.bias = bias;
        try {
            pool.run(this, split ? (rows + ROWS_PER_PART - 1) / ROWS_PER_PART : 1);
        } finally {
            this.x = null;
            this.bias = null;
        }
    }

    @Override
    public void run(int part, int worker) {
        int from = part * rowsPerPart;
        int to = Math.min(rows, from + rowsPerPart);
        int body = SPECIES.loopBound(cols);
        for (int r = from; r < to; r++) {
            int row = r * cols;
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, x, row + c).add(FloatVector.fromArray(SPECIES, bias, c))
                        .intoArray(x, row + c);
            }
            // fewer than a vector's columns remain: plain adds give the same bits
            for (; c < cols; c++) {
                x[row + c] += bias[c];
            }
        }
    }

    /**
     * {@code dBias[c] = sum over r of dy[r][c]}, in order of r, on the calling thread: the sum is
     * bound by reading dy, and columns split between two threads ran slower than one. Rows outside,
     * columns across the lanes, so each column sums its rows in order.
     */
    static void backward(int rows, int cols, float[] dy, float[] dBias) {
        int body = SPECIES.loopBound(cols);
        for (int c = 0; c < cols; c++) {
            dBias[c] = 0f;
        }
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, dBias, c).add(FloatVector.fromArray(SPECIES, dy, row + c))
                        .intoArray(dBias, c);
            }
            // the last columns add the same values in the same order, one at a time
            for (; c < cols; c++) {
                dBias[c] += dy[row + c];
            }
        }
    }
}
