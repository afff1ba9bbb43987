package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * LayerNorm and its backward pass ({@link Backend#layerNorm}) with the Vector API. Rows are
 * independent and spread over the worker pool; the parameter gradients, sums over rows, are split
 * by columns instead, each column summing its rows in order, so no sum depends on the split.
 */
final class VectorLayerNorm implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    private static final float EPSILON = (float) ScalarTransformerKernels.LAYER_NORM_EPSILON;
    /** Rows a part takes: enough work to be worth a hand-off, few enough to balance two threads. */
    private static final int ROWS_PER_PART = 64;
    /** Columns a part of the parameter gradients takes. */
    private static final int COLUMNS_PER_PART = 4 * LANES;

    private enum Mode { FORWARD, BACKWARD_INPUT, BACKWARD_PARAMETERS }

    private final WorkerPool pool;
    private final float[][] lanes;

    // the call in progress
    private Mode mode;
    private int rows;
    private int cols;
    private float[] x;
    private float[] gamma;
    private float[] beta;
    private float[] y;
    private float[] mean;
    private float[] rstd;
    private float[] dy;
    private float[] dx;
    private float[] dGamma;
    private float[] dBeta;

    VectorLayerNorm(WorkerPool pool) {
        this.pool = pool;
        this.lanes = new float[pool.threads()][LANES];
    }

    void forward(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean, float[] rstd) {
        this.rows = rows;
        this.cols = cols;
        this.x = x;
        this.gamma = gamma;
        this.beta = beta;
        this.y = y;
        this.mean = mean;
        this.rstd = rstd;
        runOver(Mode.FORWARD, (rows + ROWS_PER_PART - 1) / ROWS_PER_PART);
    }

    void backward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd, float[] dy, float[] dx,
                  float[] dGamma, float[] dBeta) {
        this.rows = rows;
        this.cols = cols;
        this.x = x;
        this.gamma = gamma;
        this.mean = mean;
        this.rstd = rstd;
        this.dy = dy;
        this.dx = dx;
        this.dGamma = dGamma;
        this.dBeta = dBeta;
        runOver(Mode.BACKWARD_PARAMETERS, (cols + COLUMNS_PER_PART - 1) / COLUMNS_PER_PART);
        runOver(Mode.BACKWARD_INPUT, (rows + ROWS_PER_PART - 1) / ROWS_PER_PART);
    }

    private void runOver(Mode mode, int parts) {
        this.mode = mode;
        try {
            pool.run(this, parts);
        } finally {
            if (mode != Mode.BACKWARD_PARAMETERS) {
                x = gamma = beta = y = mean = rstd = dy = dx = dGamma = dBeta = null;
            }
        }
    }

    @Override
    public void run(int part, int worker) {
        if (mode == Mode.BACKWARD_PARAMETERS) {
            parameterGradients(part * COLUMNS_PER_PART, Math.min(cols, (part + 1) * COLUMNS_PER_PART));
            return;
        }
        int end = Math.min(rows, (part + 1) * ROWS_PER_PART);
        for (int r = part * ROWS_PER_PART; r < end; r++) {
            if (mode == Mode.FORWARD) {
                forwardRow(r, lanes[worker]);
            } else {
                inputGradientRow(r, lanes[worker]);
            }
        }
    }

    private void forwardRow(int r, float[] lane) {
        int row = r * cols;
        int body = SPECIES.loopBound(cols);
        FloatVector sums = FloatVector.zero(SPECIES);
        for (int c = 0; c < body; c += LANES) {
            sums = sums.add(FloatVector.fromArray(SPECIES, x, row + c));
        }
        sums.intoArray(lane, 0);
        float sum = VectorMath.sumLanes(lane);
        // the last columns, fewer than a vector, one at a time after the lanes
        for (int c = body; c < cols; c++) {
            sum += x[row + c];
        }
        float mu = sum / cols;
        FloatVector squares = FloatVector.zero(SPECIES);
        for (int c = 0; c < body; c += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, x, row + c).sub(mu);
            squares = d.fma(d, squares);
        }
        squares.intoArray(lane, 0);
        float variance = VectorMath.sumLanes(lane);
        for (int c = body; c < cols; c++) {
            float d = x[row + c] - mu;
            variance = Math.fma(d, d, variance);
        }
        float inverse = (float) (1 / Math.sqrt(variance / cols + EPSILON));
        for (int c = 0; c < body; c += LANES) {
            FloatVector normalized = FloatVector.fromArray(SPECIES, x, row + c).sub(mu).mul(inverse);
            normalized.fma(FloatVector.fromArray(SPECIES, gamma, c), FloatVector.fromArray(SPECIES, beta, c))
                    .intoArray(y, row + c);
        }
        for (int c = body; c < cols; c++) {
            y[row + c] = Math.fma((x[row + c] - mu) * inverse, gamma[c], beta[c]);
        }
        mean[r] = mu;
        rstd[r] = inverse;
    }

    /** {@code dx += rstd (g - mean(g) - xhat mean(g xhat))} with {@code g = dy gamma}. */
    private void inputGradientRow(int r, float[] lane) {
        int row = r * cols;
        int body = SPECIES.loopBound(cols);
        float mu = mean[r];
        float inverse = rstd[r];
        FloatVector gSums = FloatVector.zero(SPECIES);
        FloatVector gxSums = FloatVector.zero(SPECIES);
        for (int c = 0; c < body; c += LANES) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, row + c).mul(FloatVector.fromArray(SPECIES, gamma, c));
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, row + c).sub(mu).mul(inverse);
            gSums = gSums.add(g);
            gxSums = g.fma(xhat, gxSums);
        }
        gSums.intoArray(lane, 0);
        float sumG = VectorMath.sumLanes(lane);
        gxSums.intoArray(lane, 0);
        float sumGX = VectorMath.sumLanes(lane);
        for (int c = body; c < cols; c++) {
            float g = dy[row + c] * gamma[c];
            sumG += g;
            sumGX = Math.fma(g, (x[row + c] - mu) * inverse, sumGX);
        }
        float meanG = sumG / cols;
        float meanGX = sumGX / cols;
        for (int c = 0; c < body; c += LANES) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, row + c).mul(FloatVector.fromArray(SPECIES, gamma, c));
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, row + c).sub(mu).mul(inverse);
            FloatVector grad = g.sub(meanG).sub(xhat.mul(meanGX)).mul(inverse);
            FloatVector.fromArray(SPECIES, dx, row + c).add(grad).intoArray(dx, row + c);
        }
        for (int c = body; c < cols; c++) {
            float g = dy[row + c] * gamma[c];
            float xhat = (x[row + c] - mu) * inverse;
            dx[row + c] += (g - meanG - xhat * meanGX) * inverse;
        }
    }

    /** dGamma and dBeta of columns from..to-1: each sums its rows in order. */
    private void parameterGradients(int from, int to) {
        int body = from + (to - from) / LANES * LANES;
        for (int c = from; c < body; c += LANES) {
            FloatVector gammaSum = FloatVector.zero(SPECIES);
            FloatVector betaSum = FloatVector.zero(SPECIES);
            for (int r = 0; r < rows; r++) {
                int at = r * cols + c;
                FloatVector d = FloatVector.fromArray(SPECIES, dy, at);
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, at).sub(mean[r]).mul(rstd[r]);
                gammaSum = d.fma(xhat, gammaSum);
                betaSum = betaSum.add(d);
            }
            gammaSum.intoArray(dGamma, c);
            betaSum.intoArray(dBeta, c);
        }
        for (int c = body; c < to; c++) {
            float gammaSum = 0f;
            float betaSum = 0f;
            for (int r = 0; r < rows; r++) {
                float d = dy[r * cols + c];
                gammaSum = Math.fma(d, (x[r * cols + c] - mean[r]) * rstd[r], gammaSum);
                betaSum += d;
            }
            dGamma[c] = gammaSum;
            dBeta[c] = betaSum;
        }
    }
}
