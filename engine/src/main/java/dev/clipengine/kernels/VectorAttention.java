package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head self-attention ({@link Backend#attention}) with the Vector API: one part of work per
 * (sequence, head), spread over the worker pool. A head's work is six small products (two
 * forward, four backward), each taken by {@link NarrowTileKernel} six (or four) rows by two
 * vectors at a time. Heads are read and written where they lie in the {@code [tokens, 3 * width]}
 * q|k|v rows: a product's left operand is read in place, and only its right operand, at most
 * {@code length x headWidth}, is packed into panels.
 *
 * <p>Every element of a product is one chain of fused multiply-adds from zero over its depth in
 * order (the head's dimensions, or the tokens), a softmax row's sum runs in a fixed order, and a
 * part's result does not depend on the worker that runs it: results repeat bit for bit whatever
 * the thread count.
 */
final class VectorAttention implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    private static final int NR = NarrowTileKernel.WIDTH;

    private final WorkerPool pool;
    /** Per worker: the right operand of one of the head's products, packed into panels NR wide. */
    private final float[][] panels;
    /** Per worker: the head's scores, or their gradients, {@code [length, columns]}, columns a whole number of panels. */
    private final float[][] scores;
    /** Per worker: the head's score gradients, or probabilities, transposed: {@code [length, length]}. */
    private final float[][] transposed;
    /** Per worker: a tile of a product that does not fit whole where it belongs. */
    private final float[][] tiles;
    private final float[][] lanes;
    /** Rows of the tile kernel: {@link NarrowTileKernel#ROWS} but in tests. */
    private final int mr;

    // the call in progress, read by run(part, worker)
    private boolean backward;
    private int length;
    private int heads;
    private int headWidth;
    private boolean causal;
    private float[] qkv;
    private float[] probs;
    private float[] out;
    private float[] dOut;
    private float[] dQkv;

    VectorAttention(WorkerPool pool, int tileRows) {
        this.pool = pool;
        this.mr = tileRows;
        this.panels = new float[pool.threads()][0];
        this.scores = new float[pool.threads()][0];
        this.transposed = new float[pool.threads()][0];
        this.tiles = new float[pool.threads()][tileRows * NR];
        this.lanes = new float[pool.threads()][LANES];
    }

    void forward(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv, float[] probs,
                 float[] out) {
        this.backward = false;
        this.out = out;
        start(sequences, length, heads, headWidth, causal, qkv, probs);
    }

    void backward(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv, float[] probs,
                  float[] dOut, float[] dQkv) {
        this.backward = true;
        this.dOut = dOut;
        this.dQkv = dQkv;
        start(sequences, length, heads, headWidth, causal, qkv, probs);
    }

    private void start(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                       float[] probs) {
        this.length = length;
        this.heads = heads;
        this.headWidth = headWidth;
        this.causal = causal;
        this.qkv = qkv;
        this.probs = probs;
        try {
            pool.run(this, sequences * heads);
        } finally {
            this.qkv = null;
            this.probs = null;
            this.out = null;
            this.dOut = null;
            this.dQkv = null;
        }
    }

    @Override
    public void run(int part, int worker) {
        int sequence = part / heads;
        int head = part % heads;
        int width = heads * headWidth;
        int stride = 3 * width;
        int q = sequence * length * stride + head * headWidth;
        int p = part * length * length;
        int o = sequence * length * width + head * headWidth;
        int panelFloats = Math.max(panelsOf(length) * headWidth, panelsOf(headWidth) * length) * NR;
        if (panels[worker].length < panelFloats) {
            panels[worker] = new float[panelFloats];
        }
        if (scores[worker].length < length * columns()) {
            scores[worker] = new float[length * columns()];
        }
        if (backward && transposed[worker].length < length * length) {
            transposed[worker] = new float[length * length];
        }
        if (backward) {
            backwardHead(q, stride, width, p, o, worker);
        } else {
            forwardHead(q, stride, width, p, o, worker);
        }
    }

    private static int panelsOf(int columns) {
        return (columns + NR - 1) / NR;
    }

    /** Columns of a row of scores: the keys rounded up to whole panels, so that every tile of S is stored whole. */
    private int columns() {
        return panelsOf(length) * NR;
    }

    private void forwardHead(int q, int stride, int width, int p, int o, int worker) {
        float[] panel = panels[worker];
        float[] s = scores[worker];
        float[] tile = tiles[worker];
        float[] lane = lanes[worker];
        int columns = columns();
        // S = q k^T, unscaled: the scale is folded in with the softmax, as in q k^T / sqrt(d)
        packTransposed(qkv, q + width, stride, panel);
        product(length, columns, headWidth, qkv, q, stride, panel, s, 0, columns, tile);
        float scale = (float) (1 / Math.sqrt(headWidth));
        for (int i = 0; i < length; i++) {
            int keys = causal ? i + 1 : length;
            int row = i * columns;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < keys; j++) {
                max = Math.max(max, s[row + j]);
            }
            FloatVector sums = FloatVector.zero(SPECIES);
            for (int j = 0; j < keys; j += LANES) {
                VectorMask<Float> valid = SPECIES.indexInRange(j, keys);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, s, row + j).sub(max).mul(scale));
                e = FloatVector.zero(SPECIES).blend(e, valid);
                e.intoArray(s, row + j);
                sums = sums.add(e);
            }
            sums.intoArray(lane, 0);
            float inverse = 1f / VectorMath.sumLanes(lane);
            int probRow = p + i * length;
            for (int j = 0; j < length; j++) {
                probs[probRow + j] = j < keys ? s[row + j] * inverse : 0f;
            }
        }
        // out = P v; a causal row's probabilities past its keys are 0 and add nothing
        packRows(qkv, q + 2 * width, stride, panel);
        product(length, headWidth, length, probs, p, length, panel, out, o, width, tile);
    }

    private void backwardHead(int q, int stride, int width, int p, int o, int worker) {
        float[] panel = panels[worker];
        float[] ds = scores[worker];
        float[] dsT = transposed[worker];
        float[] tile = tiles[worker];
        float[] lane = lanes[worker];
        int columns = columns();
        int k = q + width;
        int v = q + 2 * width;
        // dP = dO v^T
        packTransposed(qkv, v, stride, panel);
        product(length, columns, headWidth, dOut, o, width, panel, ds, 0, columns, tile);
        float scale = (float) (1 / Math.sqrt(headWidth));
        for (int i = 0; i < length; i++) {
            int keys = causal ? i + 1 : length;
            int row = i * columns;
            int probRow = p + i * length;
            // dS_ij = P_ij (dP_ij - sum_j P_ij dP_ij), scaled for q k^T's factor; 0 past the keys
            FloatVector weighted = FloatVector.zero(SPECIES);
            int j = 0;
            for (; j + LANES <= keys; j += LANES) {
                weighted = FloatVector.fromArray(SPECIES, probs, probRow + j)
                        .fma(FloatVector.fromArray(SPECIES, ds, row + j), weighted);
            }
            weighted.intoArray(lane, 0);
            float sum = VectorMath.sumLanes(lane);
            // the last keys are fewer than a vector: added one by one after the lanes
            for (; j < keys; j++) {
                sum = Math.fma(probs[probRow + j], ds[row + j], sum);
            }
            for (j = 0; j < length; j++) {
                float d = j < keys ? probs[probRow + j] * (ds[row + j] - sum) * scale : 0f;
                ds[row + j] = d;
                dsT[j * length + i] = d;
            }
        }
        // dQ = dS k
        packRows(qkv, k, stride, panel);
        product(length, headWidth, length, ds, 0, columns, panel, dQkv, q, stride, tile);
        // dK = dS^T q
        packRows(qkv, q, stride, panel);
        product(length, headWidth, length, dsT, 0, length, panel, dQkv, k, stride, tile);
        // dV = P^T dO
        float[] probsT = dsT;
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < length; j++) {
                probsT[j * length + i] = probs[p + i * length + j];
            }
        }
        packRows(dOut, o, width, panel);
        product(length, headWidth, length, probsT, 0, length, panel, dQkv, v, stride, tile);
    }

    /**
     * Packs the head's rows x[from + t * xStride ..] (length tokens of headWidth) transposed, as the
     * right operand {@code [headWidth, length]} of a product over the head's dimensions: panel jp
     * holds tokens jp * NR .. as its columns, depth by depth; tokens past the last are zero.
     */
    private void packTransposed(float[] x, int from, int xStride, float[] panel) {
        for (int t = 0; t < panelsOf(length) * NR; t++) {
            int at = t / NR * headWidth * NR + t % NR;
            if (t < length) {
                int source = from + t * xStride;
                for (int d = 0; d < headWidth; d++) {
                    panel[at + d * NR] = x[source + d];
                }
            } else {
                for (int d = 0; d < headWidth; d++) {
                    panel[at + d * NR] = 0f;
                }
            }
        }
    }

    /**
     * Packs the head's rows x[from + t * xStride ..] as they are, as the right operand
     * {@code [length, headWidth]} of a product over the tokens: panel jp holds dimensions
     * jp * NR .. as its columns, token by token; dimensions past the head's are zero.
     */
    private void packRows(float[] x, int from, int xStride, float[] panel) {
        for (int jp = 0; jp < panelsOf(headWidth); jp++) {
            int d0 = jp * NR;
            for (int t = 0; t < length; t++) {
                int source = from + t * xStride + d0;
                int to = (jp * length + t) * NR;
                for (int v = 0; v < NR; v += LANES) {
                    if (d0 + v + LANES <= headWidth) {
                        FloatVector.fromArray(SPECIES, x, source + v).intoArray(panel, to + v);
                    } else {
                        // a mask keeps the read inside the head and zero-fills the panel's spare columns
                        VectorMask<Float> inHead = SPECIES.indexInRange(d0 + v, headWidth);
                        FloatVector.fromArray(SPECIES, x, source + v, inHead).intoArray(panel, to + v);
                    }
                }
            }
        }
    }

    /**
     * {@code c[cIndex + i * ldc + j] = sum_p a[aIndex + i * lda + p] * B[p][j]} for i below rows
     * and j below cols, B packed in panels depth deep: a whole tile straight into C, a partial one
     * (the last rows, or a head narrower than a panel) through the tile scratch, so that nothing
     * outside the rows x cols block is written.
     */
    private void product(int rows, int cols, int depth, float[] a, int aIndex, int lda, float[] panel,
                         float[] c, int cIndex, int ldc, float[] tile) {
        for (int i = 0; i < rows; i += mr) {
            int tileRows = Math.min(mr, rows - i);
            for (int jp = 0; jp < panelsOf(cols); jp++) {
                int j = jp * NR;
                int tileColumns = Math.min(NR, cols - j);
                boolean whole = tileRows == mr && tileColumns == NR;
                int to = cIndex + i * ldc + j;
                NarrowTileKernel.multiply(mr, depth, a, aIndex + i * lda, lda, tileRows, panel, jp * depth * NR,
                        tile, 0, false, whole, c, to, ldc);
                if (!whole) {
                    for (int r = 0; r < tileRows; r++) {
                        System.arraycopy(tile, r * NR, c, to + r * ldc, tileColumns);
                    }
                }
            }
        }
    }
}
