package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API backend: SIMD loops on the JVM's preferred vector width, the product in
 * {@link VectorGemm}, large updates spread over a {@link WorkerPool}.
 *
 * <p>Results are bitwise the same run after run, for every thread count and however warm the JIT
 * is: sums run in a fixed order (lane-wise, then the lanes left to right), exp is
 * {@link VectorMath#exp}, and work split between threads never splits a sum. Element-wise updates
 * use the same operations as {@link ScalarBackend} in the same order, so they match it exactly.
 */
public final class VectorBackend extends CheckedBackend {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Element-wise updates shorter than this per thread run on the caller alone: a hand-off costs microseconds. */
    private static final int PARALLEL_MIN_ELEMENTS = 1 << 16;
    private static final float NORM_EPSILON = (float) ScalarBackend.NORM_EPSILON;

    private final int threads;
    private final WorkerPool pool;
    private final VectorGemm gemm;
    private final OptimizerTask optimizerTask = new OptimizerTask();
    /** Scratch for summing one vector's lanes in a fixed order. */
    private final float[] lanes = new float[LANES];
    /** Scratch of one vector for the per-column logarithms of softmaxColumns. */
    private final float[] columnSums = new float[LANES];

    public VectorBackend(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = new WorkerPool(threads, "clip-engine-vector");
        this.gemm = new VectorGemm(pool);
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public String describe() {
        int bits = SPECIES.vectorBitSize();
        String isa = bits == 512 ? "AVX-512" : bits == 256 ? "AVX2" : bits + "-bit vectors";
        return "vector (" + isa + ": " + LANES + " floats a vector), " + threads
                + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    protected void sgemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        gemm.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    protected void addBiasKernel(int rows, int cols, float[] x, float[] bias) {
        int body = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
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

    @Override
    protected void biasBackwardKernel(int rows, int cols, float[] dy, float[] dBias) {
        // rows outside, columns across the lanes: each column sums its rows in order with no cross-lane step
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

    @Override
    protected void reluKernel(int n, float[] x) {
        int body = SPECIES.loopBound(n);
        int i = 0;
        for (; i < body; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            // a comparison, not max(x, 0): NaN and -0 must become +0 as in the reference
            FloatVector.zero(SPECIES).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(x, i);
        }
        // the remainder is shorter than a vector
        for (; i < n; i++) {
            x[i] = x[i] > 0f ? x[i] : 0f;
        }
    }

    @Override
    protected void reluBackwardKernel(int n, float[] y, float[] dy) {
        int body = SPECIES.loopBound(n);
        int i = 0;
        for (; i < body; i += LANES) {
            VectorMask<Float> active = FloatVector.fromArray(SPECIES, y, i).compare(VectorOperators.GT, 0f);
            FloatVector.zero(SPECIES).blend(FloatVector.fromArray(SPECIES, dy, i), active).intoArray(dy, i);
        }
        // the remainder is shorter than a vector
        for (; i < n; i++) {
            if (!(y[i] > 0f)) {
                dy[i] = 0f;
            }
        }
    }

    @Override
    protected void meanPoolKernel(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        int body = SPECIES.loopBound(cols);
        for (int g = 0; g < groups; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            int target = g * cols;
            // out's row is the accumulator: it sums the group's rows in order, read row-major
            System.arraycopy(x, from * cols, out, target, cols);
            for (int r = from + 1; r < to; r++) {
                int row = r * cols;
                int c = 0;
                for (; c < body; c += LANES) {
                    FloatVector.fromArray(SPECIES, out, target + c).add(FloatVector.fromArray(SPECIES, x, row + c))
                            .intoArray(out, target + c);
                }
                // the last columns sum in the same order, one at a time
                for (; c < cols; c++) {
                    out[target + c] += x[row + c];
                }
            }
            float count = to - from;
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, out, target + c).div(count).intoArray(out, target + c);
            }
            // a division per remaining column, the same as the lanes do
            for (; c < cols; c++) {
                out[target + c] /= count;
            }
        }
    }

    @Override
    protected void meanPoolBackwardKernel(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        int body = SPECIES.loopBound(cols);
        for (int g = 0; g < groups; g++) {
            int from = groupStart[g];
            int to = groupStart[g + 1];
            float count = to - from;
            int first = from * cols;
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, dOut, g * cols + c).div(count).intoArray(dx, first + c);
            }
            // a division per remaining column, the same as the lanes do
            for (; c < cols; c++) {
                dx[first + c] = dOut[g * cols + c] / count;
            }
            // every row of the group gets the same values: copy the first
            for (int r = from + 1; r < to; r++) {
                System.arraycopy(dx, first, dx, r * cols, cols);
            }
        }
    }

    @Override
    protected void softmaxRowsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        int body = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            int c = 0;
            for (; c < body; c += LANES) {
                maxes = maxes.max(FloatVector.fromArray(SPECIES, x, row + c));
            }
            float max = VectorMath.maxLanes(maxes, lanes);
            // the last columns are fewer than a vector; max is exact in any order
            for (; c < cols; c++) {
                max = Math.max(max, x[row + c]);
            }
            FloatVector sums = FloatVector.zero(SPECIES);
            for (c = 0; c < cols; c += LANES) {
                // a mask on the last vector so that every element goes through the same exp
                VectorMask<Float> valid = SPECIES.indexInRange(c, cols);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, row + c, valid).sub(max));
                e.intoArray(out, row + c, valid);
                sums = sums.add(e, valid);
            }
            float sum = VectorMath.sumLanes(sums, lanes);
            for (c = 0; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, out, row + c).div(sum).intoArray(out, row + c);
            }
            // a division per remaining column, the same as the lanes do
            for (; c < cols; c++) {
                out[row + c] /= sum;
            }
            logSumExp[r] = (float) (max + StrictMath.log(sum));
        }
    }

    @Override
    protected void softmaxColumnsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        // columns across the lanes, rows outside: each lane is one column's softmax, no cross-lane step
        for (int c = 0; c < cols; c += LANES) {
            // a mask on the last columns so that they take the same path as the others
            VectorMask<Float> valid = SPECIES.indexInRange(c, cols);
            FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < rows; r++) {
                max = max.max(FloatVector.fromArray(SPECIES, x, r * cols + c, valid));
            }
            FloatVector sum = FloatVector.zero(SPECIES);
            for (int r = 0; r < rows; r++) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, x, r * cols + c, valid).sub(max));
                e.intoArray(out, r * cols + c, valid);
                sum = sum.add(e);
            }
            for (int r = 0; r < rows; r++) {
                FloatVector.fromArray(SPECIES, out, r * cols + c, valid).div(sum).intoArray(out, r * cols + c, valid);
            }
            max.intoArray(lanes, 0);
            sum.intoArray(columnSums, 0);
            for (int i = 0; i < LANES && c + i < cols; i++) {
                logSumExp[c + i] = (float) (lanes[i] + StrictMath.log(columnSums[i]));
            }
        }
    }

    @Override
    protected void l2NormalizeKernel(int rows, int cols, float[] x, float[] y, float[] norms) {
        int body = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            FloatVector squares = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, row + c);
                squares = v.fma(v, squares);
            }
            float sumSquares = VectorMath.sumLanes(squares, lanes);
            // the last columns join after the lanes, always in this order
            for (; c < cols; c++) {
                sumSquares = Math.fma(x[row + c], x[row + c], sumSquares);
            }
            float norm = (float) Math.sqrt(sumSquares);
            float divisor = Math.max(norm, NORM_EPSILON);
            for (c = 0; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, x, row + c).div(divisor).intoArray(y, row + c);
            }
            // a division per remaining column, the same as the lanes do
            for (; c < cols; c++) {
                y[row + c] = x[row + c] / divisor;
            }
            norms[r] = norm;
        }
    }

    @Override
    protected void l2NormalizeBackwardKernel(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        int body = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            float norm = norms[r];
            if (norm > ScalarBackend.NORM_EPSILON) {
                FloatVector dots = FloatVector.zero(SPECIES);
                int c = 0;
                for (; c < body; c += LANES) {
                    dots = FloatVector.fromArray(SPECIES, y, row + c).fma(FloatVector.fromArray(SPECIES, dy, row + c), dots);
                }
                float dot = VectorMath.sumLanes(dots, lanes);
                // the last columns join after the lanes, always in this order
                for (; c < cols; c++) {
                    dot = Math.fma(y[row + c], dy[row + c], dot);
                }
                for (c = 0; c < body; c += LANES) {
                    FloatVector yv = FloatVector.fromArray(SPECIES, y, row + c);
                    yv.fma(FloatVector.broadcast(SPECIES, -dot), FloatVector.fromArray(SPECIES, dy, row + c)).div(norm).intoArray(dx, row + c);
                }
                // the same fma and division per remaining column
                for (; c < cols; c++) {
                    dx[row + c] = Math.fma(y[row + c], -dot, dy[row + c]) / norm;
                }
            } else {
                // the clamp makes the map linear: y = x / 1e-12
                int c = 0;
                for (; c < body; c += LANES) {
                    FloatVector.fromArray(SPECIES, dy, row + c).div(NORM_EPSILON).intoArray(dx, row + c);
                }
                // a division per remaining column, the same as the lanes do
                for (; c < cols; c++) {
                    dx[row + c] = dy[row + c] / NORM_EPSILON;
                }
            }
        }
    }

    @Override
    protected void gatherKernel(int n, int[] ids, int cols, float[] table, float[] out) {
        // a pure copy: System.arraycopy is already the JVM's widest vector move
        for (int i = 0; i < n; i++) {
            System.arraycopy(table, ids[i] * cols, out, i * cols, cols);
        }
    }

    @Override
    protected void scatterAddKernel(int n, int[] ids, int cols, float[] dOut, float[] dTable) {
        int body = SPECIES.loopBound(cols);
        // i outside, in order: repeated ids add up in the order of i, as in the reference
        for (int i = 0; i < n; i++) {
            int target = ids[i] * cols;
            int source = i * cols;
            int c = 0;
            for (; c < body; c += LANES) {
                FloatVector.fromArray(SPECIES, dTable, target + c).add(FloatVector.fromArray(SPECIES, dOut, source + c))
                        .intoArray(dTable, target + c);
            }
            // the remainder is shorter than a vector
            for (; c < cols; c++) {
                dTable[target + c] += dOut[source + c];
            }
        }
    }

    @Override
    protected void sgdStepKernel(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                                 float weightDecay) {
        optimizerTask.runSgd(n, w, g, momentumBuffer, lr, momentum, weightDecay);
    }

    @Override
    protected void adamwStepKernel(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
                                   float beta2, float eps, float weightDecay, float biasCorrection1,
                                   float biasCorrection2) {
        optimizerTask.runAdamw(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2);
    }

    /**
     * The optimizer updates, split into contiguous ranges over the pool when long enough. The
     * formulas are ScalarBackend's with the same operations in the same order (no FMA), so each
     * element's result is exactly the reference's whichever thread computes it.
     */
    private final class OptimizerTask implements WorkerPool.Task {
        private boolean adamw;
        private int n;
        private int parts;
        private float[] w;
        private float[] g;
        private float[] first;
        private float[] second;
        private float lr;
        private float momentum;
        private float weightDecay;
        private float beta1;
        private float beta2;
        private float eps;
        private float biasCorrection1;
        private float biasCorrection2;

        void runSgd(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                    float weightDecay) {
            this.adamw = false;
            this.first = momentumBuffer;
            this.lr = lr;
            this.momentum = momentum;
            this.weightDecay = weightDecay;
            start(n, w, g);
        }

        void runAdamw(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                      float eps, float weightDecay, float biasCorrection1, float biasCorrection2) {
            this.adamw = true;
            this.first = m;
            this.second = v;
            this.lr = lr;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
            this.biasCorrection1 = biasCorrection1;
            this.biasCorrection2 = biasCorrection2;
            start(n, w, g);
        }

        private void start(int n, float[] w, float[] g) {
            this.n = n;
            this.w = w;
            this.g = g;
            this.parts = Math.max(1, Math.min(threads, n / PARALLEL_MIN_ELEMENTS));
            try {
                pool.run(this, parts);
            } finally {
                // drop the caller's arrays so the backend does not keep them alive
                this.w = null;
                this.g = null;
                this.first = null;
                this.second = null;
            }
        }

        @Override
        public void run(int part, int worker) {
            // ranges start on whole vectors so every thread's loop is aligned the same way
            int vectors = (n + LANES - 1) / LANES;
            int from = Math.min(n, (int) ((long) vectors * part / parts) * LANES);
            int to = Math.min(n, (int) ((long) vectors * (part + 1) / parts) * LANES);
            if (adamw) {
                adamw(from, to);
            } else {
                sgd(from, to);
            }
        }

        private void sgd(int from, int to) {
            int body = from + SPECIES.loopBound(to - from);
            int i = from;
            for (; i < body; i += LANES) {
                FloatVector wv = FloatVector.fromArray(SPECIES, w, i);
                FloatVector grad = wv.mul(weightDecay).add(FloatVector.fromArray(SPECIES, g, i));
                if (momentum != 0f) {
                    grad = FloatVector.fromArray(SPECIES, first, i).mul(momentum).add(grad);
                    grad.intoArray(first, i);
                }
                wv.sub(grad.mul(lr)).intoArray(w, i);
            }
            // the remainder is shorter than a vector: the same formula one element at a time
            for (; i < to; i++) {
                float grad = g[i] + weightDecay * w[i];
                if (momentum != 0f) {
                    first[i] = momentum * first[i] + grad;
                    grad = first[i];
                }
                w[i] -= lr * grad;
            }
        }

        private void adamw(int from, int to) {
            float decay = 1f - lr * weightDecay;
            float stepSize = lr / biasCorrection1;
            float sqrtBiasCorrection2 = (float) Math.sqrt(biasCorrection2);
            float oneMinusBeta1 = 1f - beta1;
            float oneMinusBeta2 = 1f - beta2;
            int body = from + SPECIES.loopBound(to - from);
            int i = from;
            for (; i < body; i += LANES) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, i);
                FloatVector wv = FloatVector.fromArray(SPECIES, w, i).mul(decay);
                FloatVector mv = FloatVector.fromArray(SPECIES, first, i);
                // PyTorch writes the first moment as a lerp towards g
                mv = mv.add(gv.sub(mv).mul(oneMinusBeta1));
                FloatVector vv = FloatVector.fromArray(SPECIES, second, i).mul(beta2)
                        .add(gv.mul(oneMinusBeta2).mul(gv));
                FloatVector denominator = vv.sqrt().div(sqrtBiasCorrection2).add(eps);
                wv = wv.sub(mv.div(denominator).mul(stepSize));
                mv.intoArray(first, i);
                vv.intoArray(second, i);
                wv.intoArray(w, i);
            }
            // the remainder is shorter than a vector: the same formula one element at a time
            for (; i < to; i++) {
                w[i] *= decay;
                first[i] += oneMinusBeta1 * (g[i] - first[i]);
                second[i] = beta2 * second[i] + oneMinusBeta2 * g[i] * g[i];
                float denominator = (float) Math.sqrt(second[i]) / sqrtBiasCorrection2 + eps;
                w[i] -= stepSize * (first[i] / denominator);
            }
        }
    }
}
