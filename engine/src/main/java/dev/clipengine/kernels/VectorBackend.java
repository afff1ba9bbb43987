package dev.clipengine.kernels;

import java.util.Arrays;
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
 *
 * <p>Products go to a {@link MatrixProduct}: the Vector API kernel {@link VectorGemm} for
 * {@code vector}, or a native BLAS for the backends other modules build on this one
 * ({@code blas}, {@code javacpp}), which keep every other operator here.
 */
public final class VectorBackend extends CheckedBackend {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    /** Element-wise updates shorter than this per thread run on the caller alone: a hand-off costs microseconds. */
    static final int PARALLEL_MIN_ELEMENTS = 1 << 16;
    private static final float NORM_EPSILON = (float) ScalarBackend.NORM_EPSILON;

    private final String name;
    private final int threads;
    private final WorkerPool pool;
    private final MatrixProduct products;
    private final VectorOptimizer optimizer;
    private final VectorLayerNorm layerNorm;
    private final VectorActivation activation;
    private final VectorAttention attention;
    private final VectorBias bias;
    /** Scratch for summing one vector's lanes in a fixed order. */
    private final float[] lanes = new float[LANES];
    /** softmaxColumns' per-column maxima and sums, padded to whole vectors; grown on demand. */
    private float[] columnMax = new float[0];
    private float[] columnSum = new float[0];
    /** Scratch of one vector through which a partial vector at the end of a row is loaded and stored. */
    private final float[] tail = new float[LANES];
    /** Rows of the two-vector tile kernel (products on AVX2, attention everywhere): 6, or 4 where 6 spills. */
    private final int tileRows;

    /** {@code vector}: every operator on the Vector API, products included. */
    public VectorBackend(int threads) {
        this("vector", threads, null);
    }

    /**
     * A backend of this name whose products go to {@code products} (which it closes), every other
     * operator to the Vector API kernels on {@code threads} threads.
     */
    public VectorBackend(String name, int threads, MatrixProduct products) {
        this(name, threads, products, NarrowTileKernel.ROWS);
    }

    /** {@code vector} with the tile kernel's rows chosen: both heights are tested in one JVM. */
    VectorBackend(int threads, int tileRows) {
        this("vector", threads, null, tileRows);
    }

    private VectorBackend(String name, int threads, MatrixProduct products, int tileRows) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.tileRows = tileRows;
        this.name = name;
        this.threads = threads;
        this.pool = new WorkerPool(threads, "clip-engine-" + name);
        this.products = products != null ? products : new VectorGemm(pool, tileRows);
        this.optimizer = new VectorOptimizer(pool, threads);
        this.layerNorm = new VectorLayerNorm(pool);
        this.activation = new VectorActivation(pool);
        this.attention = new VectorAttention(pool, tileRows);
        this.bias = new VectorBias(pool);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public String describe() {
        int bits = SPECIES.vectorBitSize();
        String isa = bits == 512 ? "AVX-512" : bits == 256 ? "AVX2" : bits + "-bit vectors";
        // the smaller tile is worth naming: it is chosen because of how this JVM compiles the larger one
        String tile = tileRows == 6 ? "" : ", " + tileRows + "-row tiles";
        String vector = "vector (" + isa + ": " + LANES + " floats a vector" + tile + "), " + threads
                + (threads == 1 ? " thread" : " threads");
        return products instanceof VectorGemm ? vector
                : name + " (" + products.describe() + "; other operators: " + vector + ")";
    }

    @Override
    public void close() {
        try {
            products.close();
        } finally {
            pool.close();
        }
    }

    @Override
    protected void sgemmKernel(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                               float beta, float[] c, int cOffset, int ldc) {
        products.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    @Override
    protected void addBiasKernel(int rows, int cols, float[] x, float[] bias) {
        this.bias.add(rows, cols, x, bias);
    }

    @Override
    protected void biasBackwardKernel(int rows, int cols, float[] dy, float[] dBias) {
        VectorBias.backward(rows, cols, dy, dBias);
    }

    @Override
    protected void reluKernel(int n, float[] x) {
        int body = SPECIES.loopBound(n);
        int i = 0;
        for (; i < body; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            // max follows Math.max: -0 becomes +0 and NaN stays NaN, as in the reference
            v.max(0f).intoArray(x, i);
        }
        // the remainder is shorter than a vector
        for (; i < n; i++) {
            x[i] = Math.max(x[i], 0f);
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

    /*
     * Why the row-wise kernels below are split into a small method per row (or group, or block of
     * columns) that takes and returns only arrays and scalars:
     *
     * - A training step calls each kernel once, so a kernel's own code reaches C2 only after
     *   thousands of steps; until then it runs interpreted or in C1 code, where every Vector API
     *   operation allocates its result. The per-row method is called once per row and reaches C2
     *   dozens of times sooner, and the kernel around it touches no vectors, so it allocates
     *   nothing even before it is compiled itself.
     * - A FloatVector handed to or returned from a method that C2 does not inline is boxed on the
     *   heap. No vector crosses a method boundary here except into VectorMath.exp, called from one
     *   site in a small method, where C2 inlines it as hot.
     * - A masked load or store is compiled to a vector instruction only if the whole vector lies
     *   inside the array (on AVX2; AVX-512 can also mask past the end); otherwise it takes a Java
     *   fallback that allocates. The last vector of a row that ends the array would take it, so
     *   partial vectors go through the one-vector scratch array tail instead, with no mask on any
     *   memory access; they still pass through the same lane-wise operations (the same exp), so
     *   an element's result does not depend on where it lies.
     */

    @Override
    protected void meanPoolKernel(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        for (int g = 0; g < groups; g++) {
            meanPoolGroup(groupStart[g], groupStart[g + 1], cols, x, out, g * cols);
        }
    }

    private static void meanPoolGroup(int from, int to, int cols, float[] x, float[] out, int target) {
        int body = SPECIES.loopBound(cols);
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

    @Override
    protected void meanPoolBackwardKernel(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        for (int g = 0; g < groups; g++) {
            meanPoolBackwardGroup(groupStart[g], groupStart[g + 1], cols, dOut, g * cols, dx);
        }
    }

    private static void meanPoolBackwardGroup(int from, int to, int cols, float[] dOut, int source, float[] dx) {
        int body = SPECIES.loopBound(cols);
        float count = to - from;
        int first = from * cols;
        int c = 0;
        for (; c < body; c += LANES) {
            FloatVector.fromArray(SPECIES, dOut, source + c).div(count).intoArray(dx, first + c);
        }
        // a division per remaining column, the same as the lanes do
        for (; c < cols; c++) {
            dx[first + c] = dOut[source + c] / count;
        }
        // every row of the group gets the same values: copy the first
        for (int r = from + 1; r < to; r++) {
            System.arraycopy(dx, first, dx, r * cols, cols);
        }
    }

    @Override
    protected void softmaxRowsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        for (int r = 0; r < rows; r++) {
            logSumExp[r] = softmaxRow(r * cols, cols, x, out, lanes, tail);
        }
    }

    /** The softmax of the row of cols elements at row, into out; returns the row's log-sum-exp. */
    private static float softmaxRow(int row, int cols, float[] x, float[] out, float[] lanes, float[] tail) {
        int body = SPECIES.loopBound(cols);
        FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        int c = 0;
        for (; c < body; c += LANES) {
            maxes = maxes.max(FloatVector.fromArray(SPECIES, x, row + c));
        }
        maxes.intoArray(lanes, 0);
        float max = VectorMath.maxLanes(lanes);
        // the last columns are fewer than a vector; max is exact in any order
        for (; c < cols; c++) {
            max = Math.max(max, x[row + c]);
        }
        FloatVector sums = FloatVector.zero(SPECIES);
        for (c = 0; c < cols; c += LANES) {
            // the last, partial vector goes through tail so that every element takes the same exp;
            // its spare lanes hold stale values, computed but then left out
            boolean whole = c < body;
            int remaining = cols - c;
            if (!whole) {
                System.arraycopy(x, row + c, tail, 0, remaining);
            }
            FloatVector v = whole ? FloatVector.fromArray(SPECIES, x, row + c) : FloatVector.fromArray(SPECIES, tail, 0);
            FloatVector e = VectorMath.exp(v.sub(max));
            if (whole) {
                e.intoArray(out, row + c);
                sums = sums.add(e);
            } else {
                e.intoArray(tail, 0);
                System.arraycopy(tail, 0, out, row + c, remaining);
                // + 0 leaves a sum as it is (sums are never -0): the same bits as adding only the valid lanes
                sums = sums.add(FloatVector.zero(SPECIES).blend(e, SPECIES.indexInRange(0, remaining)));
            }
        }
        sums.intoArray(lanes, 0);
        float sum = VectorMath.sumLanes(lanes);
        // one division, then products: a vector division costs several multiplications' time
        float inverse = 1f / sum;
        for (c = 0; c < body; c += LANES) {
            FloatVector.fromArray(SPECIES, out, row + c).mul(inverse).intoArray(out, row + c);
        }
        // a product per remaining column, the same as the lanes do
        for (; c < cols; c++) {
            out[row + c] *= inverse;
        }
        return (float) (max + StrictMath.log(sum));
    }

    @Override
    protected void softmaxColumnsKernel(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        // Each column is one lane: its max and sum run down the rows in order, with no cross-lane
        // step. The rows are the outer loop, one small call per row and pass, so that the code
        // with the vectors is called rows times a step and reaches C2 soon; a loop over blocks
        // of columns outside was called twice a step and ran in C1, allocating, for ~2000 steps.
        int padded = (cols + LANES - 1) / LANES * LANES;
        if (columnMax.length < padded) {
            // grows to the widest call seen, then is reused
            columnMax = new float[padded];
            columnSum = new float[padded];
        }
        float[] max = columnMax;
        float[] sum = columnSum;
        Arrays.fill(max, 0, padded, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, padded, 0f);
        for (int r = 0; r < rows; r++) {
            columnMaxRow(r * cols, cols, x, max, tail);
        }
        for (int r = 0; r < rows; r++) {
            columnExpRow(r * cols, cols, x, out, max, sum, tail);
        }
        for (int c = 0; c < cols; c++) {
            logSumExp[c] = (float) (max[c] + StrictMath.log(sum[c]));
            // from here on, the sums' reciprocals, so that the rows are scaled by products
            sum[c] = 1f / sum[c];
        }
        for (int r = 0; r < rows; r++) {
            columnScaleRow(r * cols, cols, out, sum, tail);
        }
    }

    /**
     * max = max(max, the row at row), lane by lane. In this and the next two methods a partial
     * vector at the row's end goes through tail; the spare lanes of max and sum past cols then
     * hold values computed from stale ones, never read.
     */
    private static void columnMaxRow(int row, int cols, float[] x, float[] max, float[] tail) {
        for (int c = 0; c < cols; c += LANES) {
            boolean whole = c + LANES <= cols;
            if (!whole) {
                System.arraycopy(x, row + c, tail, 0, cols - c);
            }
            FloatVector v = whole ? FloatVector.fromArray(SPECIES, x, row + c) : FloatVector.fromArray(SPECIES, tail, 0);
            FloatVector.fromArray(SPECIES, max, c).max(v).intoArray(max, c);
        }
    }

    /** out's row = exp(x's row - max), added to sum. */
    private static void columnExpRow(int row, int cols, float[] x, float[] out, float[] max, float[] sum,
                                     float[] tail) {
        for (int c = 0; c < cols; c += LANES) {
            boolean whole = c + LANES <= cols;
            if (!whole) {
                System.arraycopy(x, row + c, tail, 0, cols - c);
            }
            FloatVector v = whole ? FloatVector.fromArray(SPECIES, x, row + c) : FloatVector.fromArray(SPECIES, tail, 0);
            FloatVector e = VectorMath.exp(v.sub(FloatVector.fromArray(SPECIES, max, c)));
            if (whole) {
                e.intoArray(out, row + c);
            } else {
                e.intoArray(tail, 0);
                System.arraycopy(tail, 0, out, row + c, cols - c);
            }
            FloatVector.fromArray(SPECIES, sum, c).add(e).intoArray(sum, c);
        }
    }

    /** out's row *= inverse, lane by lane. */
    private static void columnScaleRow(int row, int cols, float[] out, float[] inverse, float[] tail) {
        for (int c = 0; c < cols; c += LANES) {
            FloatVector factor = FloatVector.fromArray(SPECIES, inverse, c);
            if (c + LANES <= cols) {
                FloatVector.fromArray(SPECIES, out, row + c).mul(factor).intoArray(out, row + c);
            } else {
                System.arraycopy(out, row + c, tail, 0, cols - c);
                FloatVector.fromArray(SPECIES, tail, 0).mul(factor).intoArray(tail, 0);
                System.arraycopy(tail, 0, out, row + c, cols - c);
            }
        }
    }

    @Override
    protected void l2NormalizeKernel(int rows, int cols, float[] x, float[] y, float[] norms) {
        for (int r = 0; r < rows; r++) {
            norms[r] = l2NormalizeRow(r * cols, cols, x, y, lanes);
        }
    }

    /** Divides the row at row by its norm (at least NORM_EPSILON) into y; returns the norm. */
    private static float l2NormalizeRow(int row, int cols, float[] x, float[] y, float[] lanes) {
        int body = SPECIES.loopBound(cols);
        FloatVector squares = FloatVector.zero(SPECIES);
        int c = 0;
        for (; c < body; c += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, row + c);
            squares = v.fma(v, squares);
        }
        squares.intoArray(lanes, 0);
        float sumSquares = VectorMath.sumLanes(lanes);
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
        return norm;
    }

    @Override
    protected void l2NormalizeBackwardKernel(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        for (int r = 0; r < rows; r++) {
            l2NormalizeBackwardRow(r * cols, cols, y, norms[r], dy, dx, lanes);
        }
    }

    private static void l2NormalizeBackwardRow(int row, int cols, float[] y, float norm, float[] dy, float[] dx,
                                               float[] lanes) {
        int body = SPECIES.loopBound(cols);
        if (norm > ScalarBackend.NORM_EPSILON) {
            FloatVector dots = FloatVector.zero(SPECIES);
            int c = 0;
            for (; c < body; c += LANES) {
                dots = FloatVector.fromArray(SPECIES, y, row + c).fma(FloatVector.fromArray(SPECIES, dy, row + c), dots);
            }
            dots.intoArray(lanes, 0);
            float dot = VectorMath.sumLanes(lanes);
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
        optimizer.runSgd(n, w, g, momentumBuffer, lr, momentum, weightDecay);
    }

    @Override
    protected void adamwStepKernel(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1,
                                   float beta2, float eps, float weightDecay, float biasCorrection1,
                                   float biasCorrection2) {
        optimizer.runAdamw(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, biasCorrection1, biasCorrection2);
    }

    @Override
    protected void layerNormKernel(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y,
                                   float[] mean, float[] rstd) {
        layerNorm.forward(rows, cols, x, gamma, beta, y, mean, rstd);
    }

    @Override
    protected void layerNormBackwardKernel(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
                                           float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        layerNorm.backward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
    }

    @Override
    protected void activationKernel(Activation kind, int n, float[] x, float[] y) {
        activation.forward(kind, n, x, y);
    }

    @Override
    protected void activationBackwardKernel(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        activation.backward(kind, n, x, dy, dx);
    }

    @Override
    protected void attentionKernel(int sequences, int length, int heads, int headWidth, boolean causal,
                                   float[] qkv, float[] probs, float[] out) {
        attention.forward(sequences, length, heads, headWidth, causal, qkv, probs, out);
    }

    @Override
    protected void attentionBackwardKernel(int sequences, int length, int heads, int headWidth, boolean causal,
                                           float[] qkv, float[] probs, float[] dOut, float[] dQkv) {
        attention.backward(sequences, length, heads, headWidth, causal, qkv, probs, dOut, dQkv);
    }
}
