package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = alpha * op(A) * op(B) + beta * C} with the Vector API, in the GotoBLAS layout: op(B)
 * is copied into panels {@link #NR} columns wide and {@link #KC} deep that stay in L1, and a
 * micro-kernel multiplies {@link #MR} rows of A, read where they lie, by one panel into a tile of
 * C held in registers. Species narrower than 512 bits (AVX2) are blocked by {@link NarrowGemm}
 * instead, which packs B deeper, copies A and visits C less often, to the same sums. A C
 * narrower than a vector, and {@code x W^T} of few rows, are taken the other way round
 * ({@code multiplyTransposed}); a C smaller than a vector each way as dot products
 * ({@code multiplyByDots}), in orders of their own, except that {@code x W^T} with alpha 1 (a
 * linear layer) always sums in the order below.
 *
 * <p>Every element of C is summed in one fixed order: for each block of {@link #KC} depths, a chain
 * of fused multiply-adds from zero over its p in order (alpha is folded into the packed B), then
 * added to C as it stands, the first block as {@code fma(beta, C, sum)} or, when beta is 0, as
 * the sum alone without reading C. The blocks start at multiples of KC whatever the thread count,
 * and the split across threads only changes which thread computes an element, never its order,
 * so results are bitwise the same for every thread count; FMA, additions, loads and stores are
 * exact or correctly rounded in compiled and interpreted code alike, so they do not depend on the
 * JIT either.
 *
 * <p>An instance belongs to one backend and is not thread-safe. Its packing buffers grow to the
 * largest call seen and are then reused, so a steady-state call allocates nothing.
 */
final class VectorGemm implements WorkerPool.Task, MatrixProduct {

    static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();
    /**
     * Rows of the wide kernel's register tile, and of the narrow path's own loop; the unit in which
     * rows are split between threads. NarrowGemm's tiles have {@link NarrowTileKernel#ROWS}.
     */
    static final int MR = 6;
    /**
     * Whether the tile may be 4 vectors wide: 6 x 4 accumulators, 4 panel vectors and a broadcast
     * fill AVX-512's 32 registers. AVX2 has 16: there 24 accumulators spill to the stack on every
     * multiply-add, and the tile is 6 x 2 (12 accumulators), the classic AVX2 micro-kernel, blocked
     * by {@link NarrowGemm}.
     */
    static final boolean WIDE_TILE = SPECIES.vectorBitSize() >= 512;
    /** Columns of the register tile and of a packed panel. */
    static final int NR = (WIDE_TILE ? 4 : 2) * LANES;
    /**
     * Depth of a packed block: a KC x NR panel (32 KiB with AVX-512, 16 KiB with AVX2) fits in L1.
     * AVX2's half-size tile takes 256 depths, so that its 24 loads and stores of running sums a
     * call weigh half as much: 4-6% faster than 128 on Zen 3, one thread or two.
     */
    static final int KC = WIDE_TILE ? 128 : 256;
    /** Rows of A swept over one packed block of B before moving on; their KC-deep slice stays in L2. */
    private static final int MC = 32 * MR;
    /** Columns packed at a time, so the packed block of B (KC x NC) stays in L2. */
    private static final int NC = 16 * NR;
    /** Below this many multiply-adds a product runs on one thread: splitting it costs more than it saves. */
    static final long PARALLEL_MIN_FMAS = 128L * 128 * 128;
    /** Parts a thread gets, at most, when a product is split. */
    private static final int PARTS_PER_THREAD = 4;
    /**
     * Floats of the operand every part copies (NarrowGemm) above which a product gets one part a
     * thread: 1 MB, beyond which the copies come from L3 or memory, not from the other parts' L2.
     */
    private static final long SHARED_COPY_MAX = 1L << 18;
    /**
     * How many contiguous floats copying one float of a transposed operand is worth, when
     * NarrowGemm's split is chosen: 1232x512Tx2048 and 800x768Tx3072, whose B^T rows split made
     * every part pack all of it, ran 5-9% faster split by columns.
     */
    private static final long TRANSPOSED_COPY = 8;
    /**
     * The most rows of x for which {@code x W^T} is taken the other way round: packing W^T costs
     * 1-2 ns an element, which a few rows cannot pay back (docs/performance.md).
     */
    static final int FEW_ROWS = 96;
    /** The largest C, in floats, taken the other way round for few rows: its scratch copy is kept. */
    private static final long TRANSPOSED_MAX = 1L << 22;
    /** The smallest part worth handing to a thread, in multiply-adds. */
    static final long PART_MIN_FMAS = 1L << 20;

    private final WorkerPool pool;
    /** Per worker: packed panels of op(B), grown on demand. */
    private final float[][] packed;
    /** The blocking and kernel of species narrower than 512 bits; null on the wide path. */
    private final NarrowGemm narrow;
    /** Per worker: the micro-kernel's MR x NR tile of sums. */
    private final float[][] sumTiles;
    /** The narrow paths' scratch: a transposed C, and contiguous rows of op(A) and columns of op(B). */
    private float[] transposedC = new float[0];
    private float[] dotRows = new float[0];
    private float[] dotColumns = new float[0];

    // The call in progress, read by run(part, worker); fields so the task itself is reused.
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
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
    private boolean splitColumns;
    private int parts;

    @Override
    public String describe() {
        return "the Vector API kernel";
    }

    /** On the pool's threads, NarrowGemm's tiles tileRows (4 or 6) high. */
    VectorGemm(WorkerPool pool, int tileRows) {
        this.pool = pool;
        this.packed = new float[pool.threads()][0];
        this.sumTiles = new float[pool.threads()][MR * NR];
        this.narrow = WIDE_TILE ? null : new NarrowGemm(pool.threads(), tileRows);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
               float beta, float[] c, int cOffset, int ldc) {
        if (k == 0) {
            scaleC(m, n, beta, c, cOffset, ldc);
            return;
        }
        // narrower than a vector: even the half-panel kernel would waste most of its columns
        if (beta == 0f && n < LANES && m > n) {
            multiplyTransposed(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, 0f, c, cOffset, ldc);
            return;
        }
        // x W^T with alpha 1 (a linear layer) sums in the blocked kernels' order whatever its rows,
        // so that a row's result does not depend on how many rows come with it
        boolean linearLayer = alpha == 1f && !transA && transB;
        if (beta == 0f && m < LANES && n < LANES && k >= 2 * LANES && !linearLayer) {
            multiplyByDots(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
            return;
        }
        // x W^T for a few rows of x (one caption, a few queries): packing all of W^T, an element at a
        // time, would cost more than the product; taken the other way round, W's rows are copied as
        // they lie and only x is packed, to the same bits. Not where C^T would need a large scratch
        if (linearLayer && m <= FEW_ROWS && m < n && (long) m * n <= TRANSPOSED_MAX) {
            multiplyTransposed(false, true, m, n, k, 1f, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        blocked(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    /** The product by the blocked kernels: the order of the class comment. */
    private void blocked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
                         float beta, float[] c, int cOffset, int ldc) {
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
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
        planParts();
        if (!WIDE_TILE) {
            narrow.set(transA, transB, k, alpha, beta, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        }
        try {
            pool.run(this, parts);
        } finally {
            // drop the caller's arrays so the backend does not keep them alive
            this.a = null;
            this.b = null;
            this.c = null;
            if (!WIDE_TILE) {
                narrow.set(false, false, 0, 0f, 0f, null, 0, 0, null, 0, 0, null, 0, 0);
            }
        }
    }

    /**
     * The product taken the other way round, C^T = op(B)^T op(A)^T, into scratch holding C^T, and
     * copied back transposed. For a C narrower than a vector, whose few columns would waste most of
     * every register tile's, they become the tiles' rows, of which at most five of a tile go spare;
     * its sums keep one fixed order, the transposed product's. For {@code x W^T} of few rows, each
     * element is the same chain of multiply-adds as the product taken directly: the products of x's
     * and W's elements are the same (alpha is 1), in the same order of depths and blocks, and C
     * joins them where it would have. The transposed product goes straight to the blocked kernels:
     * routed again, it could come back here and overwrite the scratch.
     */
    private void multiplyTransposed(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                    int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c,
                                    int cOffset, int ldc) {
        float[] t = transposedC = grown(transposedC, m * n);
        if (beta != 0f) {
            // with beta 0, C may hold NaN and is never read
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    t[j * m + i] = c[cOffset + i * ldc + j];
                }
            }
        }
        // op(B)^T is B read the other way, and so is op(A)^T: only the flags change
        blocked(!transB, !transA, n, m, k, alpha, b, bOffset, ldb, a, aOffset, lda, beta, t, 0, m);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOffset + i * ldc + j] = t[j * m + i];
            }
        }
    }

    /**
     * A C smaller than a vector each way over a long depth (a weight gradient of a tiny layer):
     * every element is one dot product, op(A)'s rows and op(B)'s columns first copied to contiguous
     * rows so that the dot products run along vectors. Each sums its lanes, then the lanes from
     * the first, then the depths past the last whole vector, in that order, and scales by alpha.
     */
    private void multiplyByDots(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
                                int aOffset, int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset,
                                int ldc) {
        float[] rows = dotRows = grown(dotRows, m * k);
        float[] columns = dotColumns = grown(dotColumns, n * k);
        for (int p = 0; p < k; p++) {
            for (int i = 0; i < m; i++) {
                rows[i * k + p] = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
            }
            for (int j = 0; j < n; j++) {
                columns[j * k + p] = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
            }
        }
        int body = SPECIES.loopBound(k);
        float[] lanes = sumTiles[0];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                FloatVector sums = FloatVector.zero(SPECIES);
                for (int p = 0; p < body; p += LANES) {
                    sums = FloatVector.fromArray(SPECIES, rows, i * k + p)
                            .fma(FloatVector.fromArray(SPECIES, columns, j * k + p), sums);
                }
                sums.intoArray(lanes, 0);
                float dot = VectorMath.sumLanes(lanes);
                for (int p = body; p < k; p++) {
                    dot = Math.fma(rows[i * k + p], columns[j * k + p], dot);
                }
                c[cOffset + i * ldc + j] = alpha * dot;
            }
        }
    }

    private static float[] grown(float[] buffer, int size) {
        // grows to the largest call seen, then is reused
        return buffer.length >= size ? buffer : new float[size];
    }

    /**
     * Splits C into parts of rows or of columns. Splitting columns gives each part its own panels
     * to pack; splitting rows makes every part pack all of op(B), which is cheap next to the
     * product when m is large; NarrowGemm also copies op(A), so there the split is the one that
     * copies less ({@link #columnsCopyLess}). A few parts a thread, handed out as threads come free,
     * keep a thread that loses its core for a while from holding up the whole product.
     */
    private void planParts() {
        int rowTiles = (m + MR - 1) / MR;
        int columnTiles = (n + NR - 1) / NR;
        int threads = pool.threads();
        long fmas = (long) m * n * k;
        if (threads == 1 || fmas < PARALLEL_MIN_FMAS) {
            splitColumns = false;
            parts = 1;
            return;
        }
        int wanted = (int) Math.min(PARTS_PER_THREAD * threads, fmas / PART_MIN_FMAS);
        if (WIDE_TILE) {
            splitColumns = columnTiles >= 2 * threads || columnTiles % threads == 0;
        } else {
            // NarrowGemm copies both operands: every part of columns copies all of op(A), every part
            // of rows all of op(B), so the split that copies less is taken. Columns of a 16640x256
            // product, 8 parts, copied its 68 MB A eight times and ran 2 threads slower than one.
            splitColumns = columnTiles >= threads && (rowTiles < threads || columnsCopyLess(threads));
            // and when that operand is large, no more copies of it than one thread would make: a
            // weight gradient 256Tx1024x16640 copied its 17 MB A^T once per part and ran at 100
            // GFLOPS in 8 parts, 140 in 2. A part of columns copies op(A) once per NC columns, so
            // parts at most NC wide, as many for each thread, copy it as often as halves do, and
            // let a thread whose core is taken by another process for a while leave more of them
            // to the other (800x3072Tx768: 6 parts, not 2)
            long copied = splitColumns ? (long) k * m : (long) k * n;
            if (copied > SHARED_COPY_MAX) {
                wanted = splitColumns ? (int) (threads * Math.ceilDiv(blocksOf(n), threads)) : threads;
            }
        }
        parts = Math.max(1, Math.min(wanted, splitColumns ? columnTiles : rowTiles));
    }

    /**
     * Whether parts of columns copy less than parts of rows. A part of columns copies all of op(A)
     * once per block of columns and its own columns of op(B); a part of rows its rows of op(A) per
     * block, and all of op(B). A transposed operand's copy (an element at a time) weighs
     * {@link #TRANSPOSED_COPY} contiguous ones. The longer side wins unless the other copies a
     * quarter less: a 16640x768Tx256 product ran slower in columns for a few percent fewer copies.
     */
    private boolean columnsCopyLess(int threads) {
        long partColumns = (n + threads - 1) / threads;
        long partRows = (m + threads - 1) / threads;
        long byColumns = copyWeight(transA) * m * k * blocksOf(partColumns) + copyWeight(transB) * k * partColumns;
        long byRows = copyWeight(transA) * partRows * k * blocksOf(n) + copyWeight(transB) * k * n;
        return n > m ? byRows * 4 >= byColumns * 3 : byColumns * 4 < byRows * 3;
    }

    private static long copyWeight(boolean transposed) {
        return transposed ? TRANSPOSED_COPY : 1;
    }

    private static long blocksOf(long columns) {
        return (columns + NarrowGemm.NC - 1) / NarrowGemm.NC;
    }

    @Override
    public void run(int part, int worker) {
        int rowTiles = (m + MR - 1) / MR;
        int columnTiles = (n + NR - 1) / NR;
        if (splitColumns) {
            int from = Math.min(n, columnTiles * part / parts * NR);
            int to = Math.min(n, columnTiles * (part + 1) / parts * NR);
            multiply(0, m, from, to, worker);
        } else {
            int from = Math.min(m, rowTiles * part / parts * MR);
            int to = Math.min(m, rowTiles * (part + 1) / parts * MR);
            multiply(from, to, 0, n, worker);
        }
    }

    /** Computes the block rows [i0, i1) x columns [j0, j1) of C. */
    private void multiply(int i0, int i1, int j0, int j1, int worker) {
        if (!WIDE_TILE && NarrowGemm.handles(transA, n)) {
            narrow.multiply(i0, i1, j0, j1, worker);
            return;
        }
        // A's element (i, p) lies at i * rowStride + p * depthStride: only the strides differ with transA
        int rowStride = transA ? 1 : lda;
        int depthStride = transA ? lda : 1;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] panel = packedBuffer(worker, panels * kc * NR);
                for (int jp = 0; jp < panels; jp++) {
                    packPanel(pc, kc, jc + jp * NR, Math.min(NR, nc - jp * NR), panel, jp * kc * NR);
                }
                // the first block folds beta * C in, the later ones add to C as the earlier ones left it
                float cScale = pc == 0 ? beta : 1f;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    for (int jp = 0; jp < panels; jp++) {
                        int j = jc + jp * NR;
                        int cols = Math.min(NR, nc - jp * NR);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int i = ic + ir;
                            int aIndex = aOffset + i * rowStride + pc * depthStride;
                            tile(Math.min(MR, mc - ir), cols, kc, aIndex, rowStride, depthStride,
                                    panel, jp * kc * NR, i, j, cScale, worker);
                        }
                    }
                }
            }
        }
    }

    /**
     * One rows x cols tile of C at (i, j): the micro-kernel's sums go to a scratch tile, then into
     * C. The two steps keep the micro-kernel small; C2 stops inlining the Vector API's calls past
     * a node budget, and a call left out of line boxes every vector it touches.
     */
    private void tile(int rows, int cols, int kc, int aIndex, int rowStride, int depthStride,
                      float[] panel, int panelIndex, int i, int j, float cScale, int worker) {
        float[] sums = sumTiles[worker];
        if (!WIDE_TILE || cols <= 2 * LANES) {
            // two vectors wide: the whole panel on AVX2, or a wide panel at most half full (a narrow C,
            // or its last columns), whose empty half is skipped
            halfPanelKernel(kc, a, aIndex, rowStride, rows, depthStride, panel, panelIndex, sums);
        } else {
            microKernel(kc, a, aIndex, rowStride, rows, depthStride, panel, panelIndex, sums);
        }
        int cIndex = cOffset + i * ldc + j;
        for (int r = 0; r < rows; r++) {
            addRow(sums, r * NR, cols, c, cIndex + r * ldc, cScale);
        }
    }

    /**
     * {@code c[to ..] = cScale * c[to ..] + sums[from ..]} for cols elements, in one rounding;
     * with cScale 0 C is only written (it may hold NaN).
     */
    private static void addRow(float[] sums, int from, int cols, float[] c, int to, float cScale) {
        if (cScale == 0f) {
            System.arraycopy(sums, from, c, to, cols);
            return;
        }
        FloatVector scale = FloatVector.broadcast(SPECIES, cScale);
        int body = SPECIES.loopBound(cols);
        int j = 0;
        for (; j < body; j += LANES) {
            FloatVector.fromArray(SPECIES, c, to + j).fma(scale, FloatVector.fromArray(SPECIES, sums, from + j))
                    .intoArray(c, to + j);
        }
        // a partial panel's last columns: Math.fma rounds exactly as the vector lanes do
        for (; j < cols; j++) {
            c[to + j] = Math.fma(c[to + j], cScale, sums[from + j]);
        }
    }

    /**
     * The product of MR rows of A (kc deep, element (r, p) at {@code aIndex + r * rowStride +
     * p * depthStride}) and one packed panel, into the MR x NR tile sums. With fewer than MR rows
     * the last row is repeated and its extra results are ignored. The 24 accumulators are locals of
     * this small method so that C2 keeps them in registers; they start from zero, because merging
     * a loaded C into them before the loop made C2 box them.
     */
    private static void microKernel(int kc, float[] a, int aIndex, int rowStride, int rows, int depthStride,
                                    float[] panel, int panelIndex, float[] sums) {
        int a0 = aIndex;
        int a1 = aIndex + Math.min(1, rows - 1) * rowStride;
        int a2 = aIndex + Math.min(2, rows - 1) * rowStride;
        int a3 = aIndex + Math.min(3, rows - 1) * rowStride;
        int a4 = aIndex + Math.min(4, rows - 1) * rowStride;
        int a5 = aIndex + Math.min(5, rows - 1) * rowStride;
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES);
        FloatVector c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES);
        FloatVector c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c42 = FloatVector.zero(SPECIES);
        FloatVector c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        FloatVector c52 = FloatVector.zero(SPECIES);
        FloatVector c53 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = panelIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, panel, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, panel, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, panel, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, panel, bp + 3 * LANES);
            int ap = p * depthStride;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        c00.intoArray(sums, 0 * LANES);
        c01.intoArray(sums, 1 * LANES);
        c02.intoArray(sums, 2 * LANES);
        c03.intoArray(sums, 3 * LANES);
        c10.intoArray(sums, 4 * LANES);
        c11.intoArray(sums, 5 * LANES);
        c12.intoArray(sums, 6 * LANES);
        c13.intoArray(sums, 7 * LANES);
        c20.intoArray(sums, 8 * LANES);
        c21.intoArray(sums, 9 * LANES);
        c22.intoArray(sums, 10 * LANES);
        c23.intoArray(sums, 11 * LANES);
        c30.intoArray(sums, 12 * LANES);
        c31.intoArray(sums, 13 * LANES);
        c32.intoArray(sums, 14 * LANES);
        c33.intoArray(sums, 15 * LANES);
        c40.intoArray(sums, 16 * LANES);
        c41.intoArray(sums, 17 * LANES);
        c42.intoArray(sums, 18 * LANES);
        c43.intoArray(sums, 19 * LANES);
        c50.intoArray(sums, 20 * LANES);
        c51.intoArray(sums, 21 * LANES);
        c52.intoArray(sums, 22 * LANES);
        c53.intoArray(sums, 23 * LANES);
    }

    /**
     * {@link #microKernel} on the first half of the panel only: the same multiply-adds in the same
     * order for those columns, so the same bits, in half the time when the other half is empty.
     */
    private static void halfPanelKernel(int kc, float[] a, int aIndex, int rowStride, int rows, int depthStride,
                                        float[] panel, int panelIndex, float[] sums) {
        int a0 = aIndex;
        int a1 = aIndex + Math.min(1, rows - 1) * rowStride;
        int a2 = aIndex + Math.min(2, rows - 1) * rowStride;
        int a3 = aIndex + Math.min(3, rows - 1) * rowStride;
        int a4 = aIndex + Math.min(4, rows - 1) * rowStride;
        int a5 = aIndex + Math.min(5, rows - 1) * rowStride;
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = panelIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, panel, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, panel, bp + LANES);
            int ap = p * depthStride;
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + ap]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + ap]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        // the rows keep the full tile's layout, NR apart, so the caller reads them as it reads a full tile's
        c00.intoArray(sums, 0 * NR);
        c01.intoArray(sums, 0 * NR + LANES);
        c10.intoArray(sums, 1 * NR);
        c11.intoArray(sums, 1 * NR + LANES);
        c20.intoArray(sums, 2 * NR);
        c21.intoArray(sums, 2 * NR + LANES);
        c30.intoArray(sums, 3 * NR);
        c31.intoArray(sums, 3 * NR + LANES);
        c40.intoArray(sums, 4 * NR);
        c41.intoArray(sums, 4 * NR + LANES);
        c50.intoArray(sums, 5 * NR);
        c51.intoArray(sums, 5 * NR + LANES);
    }

    /**
     * Copies op(B)[pc .. pc+kc-1][j .. j+cols-1], times alpha, into a kc x NR panel; columns past
     * cols are zero so the micro-kernel never needs a mask.
     */
    private void packPanel(int pc, int kc, int j, int cols, float[] panel, int panelIndex) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                int from = bOffset + (pc + p) * ldb + j;
                int to = panelIndex + p * NR;
                for (int v = 0; v < NR; v += LANES) {
                    // a mask keeps the read inside B's row and zero-fills the panel's spare columns
                    VectorMask<Float> inRow = SPECIES.indexInRange(v, cols);
                    FloatVector.fromArray(SPECIES, b, from + v, inRow).mul(alpha).intoArray(panel, to + v);
                }
            }
        } else {
            // op(B) = B^T: a panel column is a contiguous row of B, scattered NR apart in the panel
            for (int jj = 0; jj < NR; jj++) {
                int to = panelIndex + jj;
                if (jj < cols) {
                    int from = bOffset + (j + jj) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        panel[to + p * NR] = alpha * b[from + p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        panel[to + p * NR] = 0f;
                    }
                }
            }
        }
    }

    private float[] packedBuffer(int worker, int size) {
        float[] buffer = packed[worker];
        if (buffer.length < size) {
            buffer = new float[size];
            packed[worker] = buffer;
        }
        return buffer;
    }

    /** C = beta * C for an empty product (k = 0); beta 0 writes zeros without reading C. */
    private static void scaleC(int m, int n, float beta, float[] c, int cOffset, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }
}
