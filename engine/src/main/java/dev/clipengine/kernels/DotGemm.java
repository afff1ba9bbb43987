package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorGemm}'s path for a C of few rows: every element of C is the dot product of a row of
 * op(A) and a column of op(B), each contiguous along the depth. In {@code x W^T}, a linear layer
 * applied to a few rows (one caption, a handful of queries), both are already so, and are read
 * where they lie: nothing is packed. The blocked path packs all of op(B) on every call,
 * at 1-2 ns an element, which a product of a dozen rows cannot pay back (each packed element then
 * serves a dozen multiply-adds). Tiny products of any layout (C smaller than a vector each way)
 * copy their operands into contiguous rows first and take the same path.
 *
 * <p>The sum of each element, in this order: lane l of a vector sums the depths p = l (mod
 * LANES) below the last whole vector, as one chain of fused multiply-adds from zero with p
 * increasing; the lanes are added from the first; the depths past the last whole vector follow as
 * fused multiply-adds; the result is scaled by alpha and, unless beta is 0 (then C is only
 * written), joins C as {@code fma(C, beta, alpha * dot)}. Threads take
 * parts of C's columns, which changes who computes an element, never its order: the bits are the
 * same for every thread count.
 */
final class DotGemm implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int LANES = SPECIES.length();
    /** Rows of op(A) a tile takes. */
    private static final int ROWS = 2;
    /** Columns of op(B) a tile takes. */
    private static final int COLUMNS = 3;
    /**
     * The most rows of C a linear layer's product ({@code x W^T}) takes this path with. On Zen 3,
     * against the blocked path: 12 rows 1.5-2x as fast, 24 to 40 rows level to 1.5x, 50 and more
     * slower, packing B paying for itself there (docs/performance.md).
     */
    static final int MAX_ROWS = 40;
    /** Columns of C a part has at least: the parts' start-up stays small next to their work. */
    private static final int PART_COLUMNS = 8 * COLUMNS;

    private final WorkerPool pool;
    /** Per worker: the nine accumulators of a tile, stored to be summed lane by lane. */
    private final float[][] lanes;
    /** Contiguous copies of op(A)'s rows and op(B)'s columns, for operands that are not so. */
    private float[] rowCopy = new float[0];
    private float[] columnCopy = new float[0];

    // the call in progress, read by run(part, worker)
    private int m;
    private int n;
    private int k;
    private float alpha;
    private float beta;
    private float[] rows;
    private int rowsOffset;
    private int rowStride;
    private float[] columns;
    private int columnsOffset;
    private int columnStride;
    private float[] c;
    private int cOffset;
    private int ldc;
    private int parts;

    DotGemm(WorkerPool pool) {
        this.pool = pool;
        this.lanes = new float[pool.threads()][ROWS * COLUMNS * LANES];
    }

    /**
     * Whether this path takes the product: a C smaller than a vector each way with beta 0, or
     * op(A) = A and op(B) = B^T (both contiguous along the depth) with at most {@link #MAX_ROWS}
     * rows; either way deep enough for whole vectors.
     */
    static boolean takes(boolean transA, boolean transB, int m, int n, int k, float beta) {
        if (k < 2 * LANES) {
            return false;
        }
        return (beta == 0f && m < LANES && n < LANES) || (!transA && transB && m <= MAX_ROWS);
    }

    void multiply(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                  float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.c = c;
        this.cOffset = cOffset;
        this.ldc = ldc;
        if (!transA) {
            rows = a;
            rowsOffset = aOffset;
            rowStride = lda;
        } else {
            // op(A)'s rows are A's columns: copied so that each is contiguous (a tiny product only)
            rows = rowCopy = transposed(a, aOffset, lda, k, m, rowCopy);
            rowsOffset = 0;
            rowStride = k;
        }
        if (transB) {
            columns = b;
            columnsOffset = bOffset;
            columnStride = ldb;
        } else {
            columns = columnCopy = transposed(b, bOffset, ldb, k, n, columnCopy);
            columnsOffset = 0;
            columnStride = k;
        }
        long fmas = (long) m * n * k;
        parts = pool.threads() == 1 || fmas < VectorGemm.PARALLEL_MIN_FMAS ? 1
                : Math.max(1, Math.min(4 * pool.threads(), n / PART_COLUMNS));
        try {
            pool.run(this, parts);
        } finally {
            // drop the caller's arrays so the backend does not keep them alive
            this.rows = null;
            this.columns = null;
            this.c = null;
        }
    }

    /**
     * The depth x count matrix at offset (rows ld apart) as count contiguous rows of depth floats,
     * in buffer if it is large enough (grown to the largest call, then reused).
     */
    private static float[] transposed(float[] matrix, int offset, int ld, int depth, int count, float[] buffer) {
        float[] rows = buffer.length >= depth * count ? buffer : new float[depth * count];
        for (int p = 0; p < depth; p++) {
            for (int i = 0; i < count; i++) {
                rows[i * depth + p] = matrix[offset + p * ld + i];
            }
        }
        return rows;
    }

    @Override
    public void run(int part, int worker) {
        int tiles = (n + COLUMNS - 1) / COLUMNS;
        int from = Math.min(n, tiles * part / parts * COLUMNS);
        int to = Math.min(n, tiles * (part + 1) / parts * COLUMNS);
        float[] sums = lanes[worker];
        // a tile's columns of op(B) stay in L1 while every row of op(A) passes
        for (int j = from; j < to; j += COLUMNS) {
            int cols = Math.min(COLUMNS, to - j);
            for (int i = 0; i < m; i += ROWS) {
                int tileRows = Math.min(ROWS, m - i);
                int aIndex = rowsOffset + i * rowStride;
                int bIndex = columnsOffset + j * columnStride;
                tile(k, rows, aIndex, rowStride, tileRows, columns, bIndex, columnStride, cols, sums);
                store(sums, tileRows, cols, aIndex, bIndex, cOffset + i * ldc + j);
            }
        }
    }

    /**
     * The 2 x 3 accumulators of rows (at most 2) rows of op(A) from aIndex, rowStride apart, by
     * cols columns of op(B) from bIndex, columnStride apart, over the depths of whole vectors, stored
     * lane by lane into sums. Missing rows and columns repeat the last; their sums are ignored.
     *
     * <p>Two vectors of depth a step, written out: C2 unrolls a loop whose body is this small four
     * times, and with 3 x 3 accumulators the unrolled loads spilled them to the stack (17 GFLOPS).
     * A body of 10 loads and 12 multiply-adds it leaves alone, and 6 accumulators and 10 loaded
     * vectors fit AVX2's 16 registers in any order.
     */
    private static void tile(int k, float[] a, int aIndex, int rowStride, int rows, float[] b, int bIndex,
                             int columnStride, int cols, float[] sums) {
        int a0 = aIndex;
        int a1 = aIndex + Math.min(1, rows - 1) * rowStride;
        int b0 = bIndex;
        int b1 = bIndex + Math.min(1, cols - 1) * columnStride;
        int b2 = bIndex + Math.min(2, cols - 1) * columnStride;
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s12 = FloatVector.zero(SPECIES);
        int body = SPECIES.loopBound(k);
        int pairs = body - body % (2 * LANES);
        int p = 0;
        for (; p < pairs; p += 2 * LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector y0 = FloatVector.fromArray(SPECIES, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(SPECIES, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(SPECIES, b, b2 + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
            x0 = FloatVector.fromArray(SPECIES, a, a0 + p + LANES);
            x1 = FloatVector.fromArray(SPECIES, a, a1 + p + LANES);
            y0 = FloatVector.fromArray(SPECIES, b, b0 + p + LANES);
            y1 = FloatVector.fromArray(SPECIES, b, b1 + p + LANES);
            y2 = FloatVector.fromArray(SPECIES, b, b2 + p + LANES);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
        }
        if (p < body) {
            // an odd last vector of depth: the same chains, one step further
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector y0 = FloatVector.fromArray(SPECIES, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(SPECIES, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(SPECIES, b, b2 + p);
            s00 = x0.fma(y0, s00);
            s01 = x0.fma(y1, s01);
            s02 = x0.fma(y2, s02);
            s10 = x1.fma(y0, s10);
            s11 = x1.fma(y1, s11);
            s12 = x1.fma(y2, s12);
        }
        // stored, not summed here: a helper taking a vector, if C2 left it out of line, would box it
        s00.intoArray(sums, 0 * LANES);
        s01.intoArray(sums, 1 * LANES);
        s02.intoArray(sums, 2 * LANES);
        s10.intoArray(sums, 3 * LANES);
        s11.intoArray(sums, 4 * LANES);
        s12.intoArray(sums, 5 * LANES);
    }

    /** A tile's elements into C: lanes summed, the depths past the last whole vector, alpha, beta. */
    private void store(float[] sums, int tileRows, int cols, int aIndex, int bIndex, int cIndex) {
        int body = SPECIES.loopBound(k);
        for (int r = 0; r < tileRows; r++) {
            for (int col = 0; col < cols; col++) {
                float dot = 0f;
                for (int l = 0, at = (r * COLUMNS + col) * LANES; l < LANES; l++) {
                    dot += sums[at + l];
                }
                int ai = aIndex + r * rowStride;
                int bj = bIndex + col * columnStride;
                for (int p = body; p < k; p++) {
                    dot = Math.fma(rows[ai + p], columns[bj + p], dot);
                }
                int to = cIndex + r * ldc + col;
                c[to] = beta == 0f ? alpha * dot : Math.fma(c[to], beta, alpha * dot);
            }
        }
    }
}
