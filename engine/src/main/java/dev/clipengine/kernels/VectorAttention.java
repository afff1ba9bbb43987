package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head self-attention ({@link Backend#attention}) with the Vector API: one part of work per
 * (sequence, head), spread over the worker pool. Heads are read and written where they lie in the
 * {@code [tokens, 3 * width]} q|k|v rows, never copied out; only the head's keys (or values) are
 * packed transposed, so that a row of scores is a broadcast multiply-add over whole vectors of
 * keys with no reduction across lanes.
 *
 * <p>Every sum runs in a fixed order (over the head's dimensions, or over the tokens, in index
 * order), and a part's result does not depend on the worker that runs it, so results repeat bit
 * for bit whatever the thread count.
 */
final class VectorAttention implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();

    private final WorkerPool pool;
    /** Per worker: a head's keys or values transposed, {@code [headWidth, paddedLength]}. */
    private final float[][] transposed;
    /** Per worker: scores of one query row, or the score gradients of a whole head. */
    private final float[][] rows;
    private final float[][] lanes;

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

    VectorAttention(WorkerPool pool) {
        this.pool = pool;
        this.transposed = new float[pool.threads()][0];
        this.rows = new float[pool.threads()][0];
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
        int padded = paddedLength();
        if (transposed[worker].length < headWidth * padded) {
            transposed[worker] = new float[headWidth * padded];
        }
        int rowScratch = backward ? length * padded : padded;
        if (rows[worker].length < rowScratch) {
            rows[worker] = new float[rowScratch];
        }
        if (backward) {
            backwardHead(q, stride, width, p, o, worker);
        } else {
            forwardHead(q, stride, width, p, o, worker);
        }
    }

    /** Keys rounded up to whole blocks of four vectors, the step of {@link #scoresInto}; the padding is zero. */
    private int paddedLength() {
        return (length + 4 * LANES - 1) / (4 * LANES) * (4 * LANES);
    }

    private void forwardHead(int q, int stride, int width, int p, int o, int worker) {
        int padded = paddedLength();
        float[] keysT = transposed[worker];
        float[] row = rows[worker];
        float[] lane = lanes[worker];
        transpose(q + width, stride, keysT, padded);
        float scale = (float) (1 / Math.sqrt(headWidth));
        for (int i = 0; i < length; i++) {
            int keys = causal ? i + 1 : length;
            scores(qkv, q + i * stride, keysT, padded, keys, row);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < keys; j++) {
                max = Math.max(max, row[j]);
            }
            // exp(scale * (s - max)): the scale is folded in after the product, as in q k^T / sqrt(d)
            FloatVector sums = FloatVector.zero(SPECIES);
            for (int j = 0; j < keys; j += LANES) {
                VectorMask<Float> valid = SPECIES.indexInRange(j, keys);
                FloatVector e = VectorMath.exp(FloatVector.fromArray(SPECIES, row, j).sub(max).mul(scale));
                e = FloatVector.zero(SPECIES).blend(e, valid);
                e.intoArray(row, j);
                sums = sums.add(e);
            }
            sums.intoArray(lane, 0);
            float inverse = 1f / VectorMath.sumLanes(lane);
            int probRow = p + i * length;
            for (int j = 0; j < length; j++) {
                probs[probRow + j] = j < keys ? row[j] * inverse : 0f;
            }
            weightedSum(probs, probRow, keys, qkv, q + 2 * width, stride, out, o + i * width);
        }
    }

    private void backwardHead(int q, int stride, int width, int p, int o, int worker) {
        int padded = paddedLength();
        float[] valuesT = transposed[worker];
        float[] dScores = rows[worker];
        float[] lane = lanes[worker];
        int k = q + width;
        int v = q + 2 * width;
        transpose(v, stride, valuesT, padded);
        float scale = (float) (1 / Math.sqrt(headWidth));
        for (int i = 0; i < length; i++) {
            int keys = causal ? i + 1 : length;
            int row = i * padded;
            // dP_ij = dO_i . v_j, then dS_ij = P_ij (dP_ij - sum_j P_ij dP_ij), scaled for q k^T's factor
            scoresInto(dOut, o + i * width, valuesT, padded, keys, dScores, row);
            FloatVector weighted = FloatVector.zero(SPECIES);
            int probRow = p + i * length;
            int j = 0;
            for (; j + LANES <= keys; j += LANES) {
                weighted = FloatVector.fromArray(SPECIES, probs, probRow + j)
                        .fma(FloatVector.fromArray(SPECIES, dScores, row + j), weighted);
            }
            weighted.intoArray(lane, 0);
            float sum = VectorMath.sumLanes(lane);
            // the last keys are fewer than a vector: added one by one after the lanes
            for (; j < keys; j++) {
                sum = Math.fma(probs[probRow + j], dScores[row + j], sum);
            }
            for (j = 0; j < keys; j++) {
                dScores[row + j] = probs[probRow + j] * (dScores[row + j] - sum) * scale;
            }
        }
        for (int i = 0; i < length; i++) {
            // dQ_i = sum_j dS_ij k_j
            weightedSum(dScores, i * padded, causal ? i + 1 : length, qkv, k, stride, dQkv, q + i * stride);
        }
        for (int j = 0; j < length; j++) {
            // dK_j = sum_i dS_ij q_i and dV_j = sum_i P_ij dO_i, over the queries that see key j
            int first = causal ? j : 0;
            columnWeightedSum(dScores, j, padded, first, qkv, q, stride, dQkv, k + j * stride);
            columnWeightedSum(probs, p + j, length, first, dOut, o, width, dQkv, v + j * stride);
        }
    }

    /** Copies the head's rows at {@code from} (stride apart) transposed into {@code [headWidth, padded]}. */
    private void transpose(int from, int stride, float[] target, int padded) {
        for (int j = 0; j < length; j++) {
            int source = from + j * stride;
            for (int d = 0; d < headWidth; d++) {
                target[d * padded + j] = qkv[source + d];
            }
        }
        for (int d = 0; d < headWidth; d++) {
            for (int j = length; j < padded; j++) {
                target[d * padded + j] = 0f;
            }
        }
    }

    private void scores(float[] a, int aRow, float[] bT, int padded, int keys, float[] target) {
        scoresInto(a, aRow, bT, padded, keys, target, 0);
    }

    /**
     * {@code target[at + j] = a[aRow ..] . b_j} for j below keys (rounded up to whole blocks of
     * four vectors, within the padding), b given transposed: each vector of keys sums over the
     * head's dimensions in order.
     */
    private void scoresInto(float[] a, int aRow, float[] bT, int padded, int keys, float[] target, int at) {
        // four vectors of keys at once: four independent chains hide the FMA latency; the padding
        // columns of bT are zero, so a block past the last key costs a little and changes nothing
        for (int j = 0; j < keys; j += 4 * LANES) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = FloatVector.zero(SPECIES);
            FloatVector s2 = FloatVector.zero(SPECIES);
            FloatVector s3 = FloatVector.zero(SPECIES);
            for (int d = 0; d < headWidth; d++) {
                FloatVector x = FloatVector.broadcast(SPECIES, a[aRow + d]);
                int b = d * padded + j;
                s0 = x.fma(FloatVector.fromArray(SPECIES, bT, b), s0);
                s1 = x.fma(FloatVector.fromArray(SPECIES, bT, b + LANES), s1);
                s2 = x.fma(FloatVector.fromArray(SPECIES, bT, b + 2 * LANES), s2);
                s3 = x.fma(FloatVector.fromArray(SPECIES, bT, b + 3 * LANES), s3);
            }
            s0.intoArray(target, at + j);
            s1.intoArray(target, at + j + LANES);
            s2.intoArray(target, at + j + 2 * LANES);
            s3.intoArray(target, at + j + 3 * LANES);
        }
    }

    /** {@code target[at + d] = sum_j w[wRow + j] x[x0 + j * xStride + d]} over j below count, in order of j. */
    private void weightedSum(float[] w, int wRow, int count, float[] x, int x0, int xStride, float[] target, int at) {
        rowsWeightedSum(w, wRow, 1, 0, count, x, x0, xStride, target, at);
    }

    /**
     * {@code target[at + d] = sum_i w[w0 + i * wStride] x[x0 + i * xStride + d]} for i from
     * {@code first} below {@code end}, in order of i. Four vectors of d at once: four independent
     * chains hide the FMA latency (one chain per vector waited on each multiply-add), and each
     * row of x is read whole; every element is still one chain over i in order.
     */
    private void rowsWeightedSum(float[] w, int w0, int wStride, int first, int end, float[] x, int x0, int xStride,
                                 float[] target, int at) {
        int d = 0;
        for (; d + 4 * LANES <= headWidth; d += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = FloatVector.zero(SPECIES);
            FloatVector a2 = FloatVector.zero(SPECIES);
            FloatVector a3 = FloatVector.zero(SPECIES);
            for (int i = first; i < end; i++) {
                FloatVector weight = FloatVector.broadcast(SPECIES, w[w0 + i * wStride]);
                int row = x0 + i * xStride + d;
                a0 = weight.fma(FloatVector.fromArray(SPECIES, x, row), a0);
                a1 = weight.fma(FloatVector.fromArray(SPECIES, x, row + LANES), a1);
                a2 = weight.fma(FloatVector.fromArray(SPECIES, x, row + 2 * LANES), a2);
                a3 = weight.fma(FloatVector.fromArray(SPECIES, x, row + 3 * LANES), a3);
            }
            a0.intoArray(target, at + d);
            a1.intoArray(target, at + d + LANES);
            a2.intoArray(target, at + d + 2 * LANES);
            a3.intoArray(target, at + d + 3 * LANES);
        }
        // the head's last dimensions, fewer than four vectors: one vector (masked at the end) at a time
        for (; d < headWidth; d += LANES) {
            VectorMask<Float> inHead = SPECIES.indexInRange(d, headWidth);
            FloatVector acc = FloatVector.zero(SPECIES);
            for (int i = first; i < end; i++) {
                acc = FloatVector.broadcast(SPECIES, w[w0 + i * wStride])
                        .fma(FloatVector.fromArray(SPECIES, x, x0 + i * xStride + d, inHead), acc);
            }
            acc.intoArray(target, at + d, inHead);
        }
    }

    /**
     * {@code target[at + d] = sum_i w[w0 + i * wStride] x[x0 + i * xStride + d]} for i from first
     * to the last token, in order of i: a column of w weighting rows of x.
     */
    private void columnWeightedSum(float[] w, int w0, int wStride, int first, float[] x, int x0, int xStride,
                                   float[] target, int at) {
        rowsWeightedSum(w, w0, wStride, first, length, x, x0, xStride, target, at);
    }
}
