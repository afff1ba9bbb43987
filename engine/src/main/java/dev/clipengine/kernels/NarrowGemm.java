package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorGemm}'s blocking for species of 256 bits and less, around {@link NarrowTileKernel}.
 * The sums are those of VectorGemm's class comment, bit for bit: per element of C, a chain of
 * fused multiply-adds from zero for each KC-deep block, added to C as it stands. Two things differ
 * from the wide path:
 * <ul>
 *   <li>B is packed {@link #KB} deep at a time and a column of tiles of C is summed over all those
 *       depths, KC by KC, in a scratch column before it is stored: C is read and written once per
 *       KB depths instead of once per KC, and with beta 0 and k at most KB never read. Loading C
 *       after every 128 depths stalled the 6 x 2 kernel, half the size of the wide one, on cache
 *       misses for a quarter of its time.</li>
 *   <li>A is copied, MC rows at a time, into rows {@code kb + ROW_PAD} apart, so that the kernel
 *       reads a row's depths with stride 1 (see {@link NarrowTileKernel}), and so that a tile's six
 *       rows do not all fall in the same sets of L1, as rows of A in place would with lda a
 *       multiple of 1024 (k of 1024, 2048, 3072). A transposed A (a weight gradient) is copied
 *       instead into tiles of four rows interleaved depth by depth, where its values lie side by
 *       side already: whole vectors move, not single elements.</li>
 * </ul>
 *
 * <p>An instance belongs to one VectorGemm: {@link #set} takes a call's operands, then each worker
 * calls {@link #multiply} for its block of C. Buffers are per worker and grow to the largest call.
 */
final class NarrowGemm {

    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int LANES = SPECIES.length();
    /** VectorGemm's panel width, which on this path is the tile kernel's. */
    private static final int NR = NarrowTileKernel.WIDTH;
    private static final int KC = VectorGemm.KC;
    /**
     * Depths packed at a time, a multiple of KC: C is read and written once per KB depths, so the
     * ViT's products (k 768 to 3072) pass over C once or twice.
     */
    static final int KB = 6 * KC;
    /**
     * Rows of A multiplied against the panels at a time: MC x KB floats (288 KiB) stay in Zen 3's
     * 512 KiB L2 while the panels pass; 96 to 384 rows with shallower KB were no faster on one thread
     * or two. A whole number of tiles of every height (4 and 6), so that only the last tile of a
     * product's rows can be partial. A's rows are copied MC at a time; a transposed A's, TRANSPOSED_GROUP.
     */
    static final int MC = 48;
    /** Columns of B packed at a time: A is copied once per NC columns, so the wider the fewer copies. */
    static final int NC = 32 * NR;
    /**
     * Rows of a transposed A copied at a time: at each depth they lie side by side, so the copy
     * reads 1.5 KiB runs instead of MC's 192 bytes (a weight gradient's A, tens of MB, comes from
     * memory); the copy, up to 2.25 MiB, is then multiplied MC rows at a time. A multiple of MC, so
     * of the four-row tile too.
     */
    static final int TRANSPOSED_GROUP = 8 * MC;
    /** Rows of a tile of a transposed A, copied interleaved: a 128-bit vector's worth at each depth. */
    private static final int INTERLEAVED = 4;
    private static final VectorSpecies<Float> QUARTET = FloatVector.SPECIES_128;
    /** Floats between copied rows of A past their depths: 64 bytes, so that rows fall in different sets of L1. */
    private static final int ROW_PAD = 16;

    /** Per worker: packed panels of op(B), KB deep. */
    private final float[][] panels;
    /** Per worker: a block of op(A) copied into rows. */
    private final float[][] rows;
    /** Per worker: the sums of a column of tiles, MC x NR, and a tile's spare rows. */
    private final float[][] sums;
    /** Rows of the tile kernel: {@link NarrowTileKernel#ROWS} but in tests. */
    private final int mr;

    private boolean transA;
    private boolean transB;
    private int k;
    private float alpha;
    private float beta;
    private float[] a;
    private int aOffset;
    private int lda;
    private float[] b;
    private int bOffset;
    private int ldb;
    private float[] c;
    private int cOffset;
    private int ldc;

    NarrowGemm(int threads, int tileRows) {
        mr = tileRows;
        panels = new float[threads][0];
        rows = new float[threads][0];
        sums = new float[threads][0];
    }

    /** Takes one call's operands; {@code set} with null arrays drops them after the call. */
    void set(boolean transA, boolean transB, int k, float alpha, float beta, float[] a, int aOffset, int lda,
             float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        this.transA = transA;
        this.transB = transB;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a;
        this.aOffset = aOffset;
        this.lda = lda;
        this.b = b;
        this.bOffset = bOffset;
        this.ldb = ldb;
        this.c = c;
        this.cOffset = cOffset;
        this.ldc = ldc;
    }

    /**
     * Whether this blocking takes a product. With A transposed and C at most 4 panels wide the copy
     * of A costs more than it saves, and VectorGemm's own loop, which reads A in place at any stride
     * into the same two-vector tile, takes it instead: the same sums in the same order. (With the
     * interleaved copy this blocking was 6-9% faster there at 4096 and 16640 deep, but 20-50% slower
     * at 256 to 1536 deep.)
     */
    static boolean handles(boolean transA, int n) {
        return !transA || n > 4 * NR;
    }

    /** Computes the block rows [i0, i1) x columns [j0, j1) of C. */
    void multiply(int i0, int i1, int j0, int j1, int worker) {
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int panelCount = (nc + NR - 1) / NR;
            for (int pb = 0; pb < k; pb += KB) {
                int kb = Math.min(KB, k - pb);
                float[] panel = packPanels(pb, kb, jc, nc, panelCount, worker);
                // the first depths fold beta * C in, the later ones add to C as the earlier ones left it
                float cScale = pb == 0 ? beta : 1f;
                int group = transA ? TRANSPOSED_GROUP : MC;
                for (int ig = i0; ig < i1; ig += group) {
                    int groupRows = Math.min(group, i1 - ig);
                    float[] aRows = packRows(ig, groupRows, pb, kb, worker);
                    for (int ic = ig; ic < ig + groupRows; ic += MC) {
                        int mc = Math.min(MC, ig + groupRows - ic);
                        int aIndex = (ic - ig) * (transA ? kb : kb + ROW_PAD);
                        for (int jp = 0; jp < panelCount; jp++) {
                            columnOfTiles(mc, Math.min(NR, nc - jp * NR), kb, aRows, aIndex, panel, jp * kb * NR,
                                    ic, jc + jp * NR, cScale, worker);
                        }
                    }
                }
            }
        }
    }

    /**
     * The mc x cols block of C at (i, j) from mc copied rows of A and one panel kb deep: KC depths
     * at a time for every row tile, so that those depths of the panel stay in L1 while A's rows
     * pass, summed in a scratch column and stored into C once.
     */
    private void columnOfTiles(int mc, int cols, int kb, float[] aRows, int aIndex, float[] panel, int panelIndex,
                               int i, int j, float cScale, int worker) {
        int rowStride = kb + ROW_PAD;
        // a transposed A is copied four rows interleaved (packRows), so its tiles are four rows high
        int height = transA ? INTERLEAVED : mr;
        float[] column = sums[worker];
        if (column.length < (mc + height) * NR) {
            column = sums[worker] = new float[(MC + Math.max(mr, INTERLEAVED)) * NR];
        }
        // whole tiles go straight to C from their last block, unless C must first join the only one
        boolean direct = cols == NR && (kb > KC || cScale == 0f);
        int cIndex = cOffset + i * ldc + j;
        for (int q = 0; q < kb; q += KC) {
            int kc = Math.min(KC, kb - q);
            boolean lastToC = direct && q + KC >= kb;
            for (int ir = 0; ir < mc; ir += height) {
                int tileRows = Math.min(height, mc - ir);
                boolean toC = lastToC && tileRows == height;
                if (lastToC && cScale == 0f) {
                    claimLines(c, cIndex + ir * ldc, tileRows);
                }
                if (transA) {
                    NarrowTileKernel.fourInterleavedRows(kc, aRows, aIndex + ir * kb + INTERLEAVED * q, panel,
                            panelIndex + q * NR, column, ir * NR, q > 0, toC, c, cIndex + ir * ldc, ldc);
                } else {
                    NarrowTileKernel.multiply(mr, kc, aRows, aIndex + ir * rowStride + q, rowStride, tileRows,
                            panel, panelIndex + q * NR, column, ir * NR, q > 0, toC, c, cIndex + ir * ldc, ldc);
                }
            }
            if (q == 0 && cScale != 0f) {
                // C joins after the first block's sums and before the next one's, as in the wide path
                for (int r = 0; r < mc; r++) {
                    mergeRow(c, cIndex + r * ldc, cScale, column, r * NR, cols);
                }
            }
        }
        // the rest from the scratch column: a last tile of fewer rows, or all of a narrower panel
        for (int r = direct ? mc / height * height : 0; r < mc; r++) {
            System.arraycopy(column, r * NR, c, cIndex + r * ldc, cols);
        }
    }

    /**
     * Stores a zero into the first and the last of the NR elements of each of a tile's rows of C
     * (from {@code from}, rows ldc apart), all of which the tile will overwrite, straight from the
     * kernel or, for a last tile of fewer rows, from the scratch column. Only with beta 0, when C is
     * never read: its lines would otherwise first be fetched when the kernel stores its sums,
     * stalling it; fetched now, they arrive while it multiplies. (Java has no prefetch; with k of
     * 256 the fetches took a tenth of a {@code 16640x1024Tx256} product.)
     */
    private void claimLines(float[] c, int from, int rows) {
        for (int r = 0; r < rows; r++) {
            c[from + r * ldc] = 0f;
            c[from + r * ldc + NR - 1] = 0f;
        }
    }

    /** {@code sums[to ..] = fma(c[from ..], cScale, sums[to ..])} for cols elements: C + sum in one rounding. */
    private static void mergeRow(float[] c, int from, float cScale, float[] sums, int to, int cols) {
        FloatVector scale = FloatVector.broadcast(SPECIES, cScale);
        int body = SPECIES.loopBound(cols);
        int j = 0;
        for (; j < body; j += LANES) {
            FloatVector.fromArray(SPECIES, c, from + j).fma(scale, FloatVector.fromArray(SPECIES, sums, to + j))
                    .intoArray(sums, to + j);
        }
        for (; j < cols; j++) {
            sums[to + j] = Math.fma(c[from + j], cScale, sums[to + j]);
        }
    }

    /**
     * Copies op(B)[pb .. pb+kb-1][jc .. jc+nc-1], times alpha, into panels NR wide, each kb deep
     * and one after another; columns past nc are zero so the kernel never needs a mask.
     */
    private float[] packPanels(int pb, int kb, int jc, int nc, int panelCount, int worker) {
        float[] panel = panels[worker];
        if (panel.length < panelCount * kb * NR) {
            panel = panels[worker] = new float[panelCount * kb * NR];
        }
        if (!transB) {
            // along B's rows, which the prefetcher follows, each row spread over all the panels
            int whole = nc / NR;
            for (int p = 0; p < kb; p++) {
                int from = bOffset + (pb + p) * ldb + jc;
                int to = p * NR;
                for (int jp = 0; jp < whole; jp++, from += NR, to += kb * NR) {
                    for (int v = 0; v < NR; v += LANES) {
                        FloatVector.fromArray(SPECIES, b, from + v).mul(alpha).intoArray(panel, to + v);
                    }
                }
                if (whole * NR < nc) {
                    int cols = nc - whole * NR;
                    for (int v = 0; v < NR; v += LANES) {
                        // a mask keeps the read inside B's row and zero-fills the panel's spare columns
                        VectorMask<Float> inRow = SPECIES.indexInRange(v, cols);
                        FloatVector.fromArray(SPECIES, b, from + v, inRow).mul(alpha).intoArray(panel, to + v);
                    }
                }
            }
        } else {
            // op(B) = B^T: a panel's column is a contiguous row of B, spread NR apart in the panel; NR
            // depths at a time, so that the panel's lines being written and B's being read stay in L1
            for (int jp = 0; jp < panelCount; jp++) {
                int cols = Math.min(NR, nc - jp * NR);
                int first = bOffset + (jc + jp * NR) * ldb + pb;
                for (int p0 = 0; p0 < kb; p0 += NR) {
                    int depths = Math.min(NR, kb - p0);
                    int to = (jp * kb + p0) * NR;
                    for (int jj = 0; jj < cols; jj++) {
                        int from = first + jj * ldb + p0;
                        for (int p = 0; p < depths; p++) {
                            panel[to + p * NR + jj] = alpha * b[from + p];
                        }
                    }
                    for (int jj = cols; jj < NR; jj++) {
                        for (int p = 0; p < depths; p++) {
                            panel[to + p * NR + jj] = 0f;
                        }
                    }
                }
            }
        }
        return panel;
    }

    /**
     * Copies op(A)[ic .. ic+mc-1][pb .. pb+kb-1]: A's rows (at most MC) into rows kb + ROW_PAD apart, a
     * transposed A's into tiles of four rows interleaved (row r of a tile at depth p at
     * {@code 4 * p + r}, the tile 4 * kb floats after the one before, a last tile of fewer rows
     * filled up with its last row).
     */
    private float[] packRows(int ic, int mc, int pb, int kb, int worker) {
        float[] copy = rows[worker];
        int size = transA ? Math.ceilDiv(mc, INTERLEAVED) * INTERLEAVED * kb : mc * (kb + ROW_PAD);
        if (copy.length < size) {
            copy = rows[worker] = new float[Math.max(size, MC * (KB + ROW_PAD))];
        }
        if (!transA) {
            int stride = kb + ROW_PAD;
            for (int r = 0; r < mc; r++) {
                System.arraycopy(a, aOffset + (ic + r) * lda + pb, copy, r * stride, kb);
            }
        } else {
            // a transposed A's rows are its columns, so a tile's four values of one depth lie side by
            // side: one 128-bit move each, where copying into rows took a load and a store an element
            int whole = mc / INTERLEAVED;
            int rest = mc % INTERLEAVED;
            int tileSize = INTERLEAVED * kb;
            for (int p = 0; p < kb; p++) {
                int from = aOffset + (pb + p) * lda + ic;
                int to = INTERLEAVED * p;
                for (int t = 0; t < whole; t++, from += INTERLEAVED, to += tileSize) {
                    FloatVector.fromArray(QUARTET, a, from).intoArray(copy, to);
                }
                if (rest > 0) {
                    for (int r = 0; r < INTERLEAVED; r++) {
                        copy[to + r] = a[from + Math.min(r, rest - 1)];
                    }
                }
            }
        }
        return copy;
    }
}
