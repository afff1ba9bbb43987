package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * {@link VectorGemm}'s micro-kernel for species of 256 bits and less (AVX2 has 16 vector
 * registers), and {@link VectorAttention}'s on every width: 6 (or 4, see {@link #ROWS}) rows of A
 * by one packed panel two vectors wide, so 12 accumulators, 2 panel vectors and a broadcast, and
 * the same multiply-adds in the same order as the wide kernel. Each element's sum is one chain over
 * the depths whatever the tile's rows, so all tiles give the same bits, {@link #fourInterleavedRows}
 * (a transposed A) included.
 *
 * <p>A's rows are read with depth stride 1 (copied so by the caller; 4 in the interleaved layout):
 * C2 hoists an array's bounds checks out of a loop only when the index moves by a constant, and
 * with a stride known only at run time it kept six compares and branches in every step of the loop.
 *
 * <p>The loop is one depth a step, and the rows lie a run-time stride apart, each with an index of
 * its own. Unrolling it by 2 or 4, or placing the rows at constant distances from one index
 * (packed KC apart, or interleaved six by six), let C2 schedule the next broadcasts above the
 * multiply-adds; with 12 accumulators, 2 panel vectors and a broadcast already filling the 16
 * registers, accumulators then spilled to the stack inside the loop and the kernel ran at a third
 * to half its speed. A 4 x 3-vector tile (12 accumulators, 3 panel vectors) spilled the same way.
 * Four rows interleaved cannot spill whatever the order (14 registers) and ran as fast as six rows
 * a stride apart, but copying A's rows into that layout takes a transposition; a transposed A is
 * in it already, and only it is copied so.
 *
 * <p>Each tile's sums are added and stored row by row written out, not through a helper taking a
 * row's two vectors: C2 compiled such a helper out of line, which boxed every accumulator, and the
 * kernel ran at a quarter of its speed.
 */
final class NarrowTileKernel {

    private static final VectorSpecies<Float> SPECIES = VectorGemm.SPECIES;
    private static final int LANES = SPECIES.length();
    /**
     * Columns of a panel and of the tile: two vectors. VectorGemm's narrow path packs panels of
     * this width (its NR on 256 bits and less); attention uses it on every width.
     */
    static final int WIDTH = 2 * LANES;
    private static final int NR = WIDTH;
    /**
     * The tile's rows in this JVM, chosen once. 6, except on x86 with 256-bit vectors or narrower
     * under the Serial or Parallel collector (the JVM's choice with one processor or under 1792
     * MB): there JDK 25's C2 compiled the 6-row loop with all six broadcasts hoisted and five
     * accumulators kept on the stack, and it ran at 30-41 GFLOPS where G1's compilation ran at
     * 76-90 on the same Zen 3 core. Four rows need at most 14 registers whatever the order, and ran
     * at 75-81 there (docs/performance.md); under G1 six rows stay a few percent faster.
     */
    static final int ROWS = sixRowsSpill() ? 4 : 6;

    private NarrowTileKernel() {
    }

    /** Whether this JVM is one where the 6-row loop was measured to spill (see {@link #ROWS}). */
    private static boolean sixRowsSpill() {
        String arch = System.getProperty("os.arch", "");
        if (!(arch.equals("amd64") || arch.equals("x86_64")) || SPECIES.vectorBitSize() >= 512) {
            return false;
        }
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (spillProneCollector(collector.getName())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the memory manager of that name belongs to the Serial or the Parallel collector. */
    static boolean spillProneCollector(String managerName) {
        return switch (managerName) {
            case "Copy", "MarkSweepCompact", "PS Scavenge", "PS MarkSweep" -> true;
            default -> false;
        };
    }

    /**
     * The product of tileRows (4 or 6) rows of A (kc deep, element (r, p) at {@code aIndex + r *
     * rowStride + p}) and kc depths of a packed panel, plus, with add, the running sums of the
     * tileRows x NR tile at sumsIndex of sums; stored there, or with toC into C's rows ldc apart from
     * cIndex, which needs a whole tile. With fewer than tileRows rows the last row is repeated and
     * its extra results are ignored.
     */
    static void multiply(int tileRows, int kc, float[] a, int aIndex, int rowStride, int rows, float[] panel,
                         int panelIndex, float[] sums, int sumsIndex, boolean add, boolean toC, float[] c, int cIndex,
                         int ldc) {
        if (tileRows == 4) {
            fourRows(kc, a, aIndex, rowStride, rows, panel, panelIndex, sums, sumsIndex, add, toC, c, cIndex, ldc);
        } else {
            sixRows(kc, a, aIndex, rowStride, rows, panel, panelIndex, sums, sumsIndex, add, toC, c, cIndex, ldc);
        }
    }

    /** Six rows: 12 accumulators, 2 panel vectors and a broadcast, all 16 of AVX2's registers. */
    private static void sixRows(int kc, float[] a, int aIndex, int rowStride, int rows, float[] panel, int panelIndex,
                                float[] sums, int sumsIndex, boolean add, boolean toC, float[] c, int cIndex, int ldc) {
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
        for (int p = 0, bp = panelIndex; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, panel, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, panel, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + p]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + p]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (add) {
            // the running sums plus this block's: one rounding, as C + sum would be
            c00 = c00.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 0 * LANES));
            c01 = c01.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 1 * LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 0 * LANES));
            c11 = c11.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 1 * LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 0 * LANES));
            c21 = c21.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 1 * LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 0 * LANES));
            c31 = c31.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 1 * LANES));
            c40 = c40.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 4 * NR + 0 * LANES));
            c41 = c41.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 4 * NR + 1 * LANES));
            c50 = c50.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 5 * NR + 0 * LANES));
            c51 = c51.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 5 * NR + 1 * LANES));
        }
        if (toC) {
            // straight into C, without a copy through the scratch column
            c00.intoArray(c, cIndex + 0 * ldc);
            c01.intoArray(c, cIndex + 0 * ldc + LANES);
            c10.intoArray(c, cIndex + 1 * ldc);
            c11.intoArray(c, cIndex + 1 * ldc + LANES);
            c20.intoArray(c, cIndex + 2 * ldc);
            c21.intoArray(c, cIndex + 2 * ldc + LANES);
            c30.intoArray(c, cIndex + 3 * ldc);
            c31.intoArray(c, cIndex + 3 * ldc + LANES);
            c40.intoArray(c, cIndex + 4 * ldc);
            c41.intoArray(c, cIndex + 4 * ldc + LANES);
            c50.intoArray(c, cIndex + 5 * ldc);
            c51.intoArray(c, cIndex + 5 * ldc + LANES);
        } else {
            c00.intoArray(sums, sumsIndex + 0 * NR + 0 * LANES);
            c01.intoArray(sums, sumsIndex + 0 * NR + 1 * LANES);
            c10.intoArray(sums, sumsIndex + 1 * NR + 0 * LANES);
            c11.intoArray(sums, sumsIndex + 1 * NR + 1 * LANES);
            c20.intoArray(sums, sumsIndex + 2 * NR + 0 * LANES);
            c21.intoArray(sums, sumsIndex + 2 * NR + 1 * LANES);
            c30.intoArray(sums, sumsIndex + 3 * NR + 0 * LANES);
            c31.intoArray(sums, sumsIndex + 3 * NR + 1 * LANES);
            c40.intoArray(sums, sumsIndex + 4 * NR + 0 * LANES);
            c41.intoArray(sums, sumsIndex + 4 * NR + 1 * LANES);
            c50.intoArray(sums, sumsIndex + 5 * NR + 0 * LANES);
            c51.intoArray(sums, sumsIndex + 5 * NR + 1 * LANES);
        }
    }

    /** Four rows: 8 accumulators, at most 14 registers whatever order C2 gives the loads. */
    private static void fourRows(int kc, float[] a, int aIndex, int rowStride, int rows, float[] panel, int panelIndex,
                                 float[] sums, int sumsIndex, boolean add, boolean toC, float[] c, int cIndex, int ldc) {
        int a0 = aIndex;
        int a1 = aIndex + Math.min(1, rows - 1) * rowStride;
        int a2 = aIndex + Math.min(2, rows - 1) * rowStride;
        int a3 = aIndex + Math.min(3, rows - 1) * rowStride;
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0, bp = panelIndex; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, panel, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, panel, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        if (add) {
            // the running sums plus this block's: one rounding, as C + sum would be
            c00 = c00.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 0 * LANES));
            c01 = c01.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 1 * LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 0 * LANES));
            c11 = c11.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 1 * LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 0 * LANES));
            c21 = c21.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 1 * LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 0 * LANES));
            c31 = c31.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 1 * LANES));
        }
        if (toC) {
            // straight into C, without a copy through the scratch column
            c00.intoArray(c, cIndex + 0 * ldc);
            c01.intoArray(c, cIndex + 0 * ldc + LANES);
            c10.intoArray(c, cIndex + 1 * ldc);
            c11.intoArray(c, cIndex + 1 * ldc + LANES);
            c20.intoArray(c, cIndex + 2 * ldc);
            c21.intoArray(c, cIndex + 2 * ldc + LANES);
            c30.intoArray(c, cIndex + 3 * ldc);
            c31.intoArray(c, cIndex + 3 * ldc + LANES);
        } else {
            c00.intoArray(sums, sumsIndex + 0 * NR + 0 * LANES);
            c01.intoArray(sums, sumsIndex + 0 * NR + 1 * LANES);
            c10.intoArray(sums, sumsIndex + 1 * NR + 0 * LANES);
            c11.intoArray(sums, sumsIndex + 1 * NR + 1 * LANES);
            c20.intoArray(sums, sumsIndex + 2 * NR + 0 * LANES);
            c21.intoArray(sums, sumsIndex + 2 * NR + 1 * LANES);
            c30.intoArray(sums, sumsIndex + 3 * NR + 0 * LANES);
            c31.intoArray(sums, sumsIndex + 3 * NR + 1 * LANES);
        }
    }

    /**
     * Four rows interleaved: element (r, p) of the tile's A at {@code aIndex + 4 * p + r}, as
     * NarrowGemm copies a transposed A, whose four values of a depth lie side by side and so move
     * as one 128-bit vector. The same multiply-adds as {@link #fourRows}; the four broadcasts share
     * one index, and at 14 registers a loop that loads them all first still cannot spill (six rows
     * so interleaved did, at half speed). The epilogue is {@link #fourRows}'s, written out again for
     * the reason in the class comment.
     */
    static void fourInterleavedRows(int kc, float[] a, int aIndex, float[] panel, int panelIndex,
                                 float[] sums, int sumsIndex, boolean add, boolean toC, float[] c, int cIndex, int ldc) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int bp = panelIndex + p * NR;
            int ap = aIndex + 4 * p;
            FloatVector b0 = FloatVector.fromArray(SPECIES, panel, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, panel, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        if (add) {
            // the running sums plus this block's: one rounding, as C + sum would be
            c00 = c00.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 0 * LANES));
            c01 = c01.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 0 * NR + 1 * LANES));
            c10 = c10.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 0 * LANES));
            c11 = c11.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 1 * NR + 1 * LANES));
            c20 = c20.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 0 * LANES));
            c21 = c21.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 2 * NR + 1 * LANES));
            c30 = c30.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 0 * LANES));
            c31 = c31.add(FloatVector.fromArray(SPECIES, sums, sumsIndex + 3 * NR + 1 * LANES));
        }
        if (toC) {
            // straight into C, without a copy through the scratch column
            c00.intoArray(c, cIndex + 0 * ldc);
            c01.intoArray(c, cIndex + 0 * ldc + LANES);
            c10.intoArray(c, cIndex + 1 * ldc);
            c11.intoArray(c, cIndex + 1 * ldc + LANES);
            c20.intoArray(c, cIndex + 2 * ldc);
            c21.intoArray(c, cIndex + 2 * ldc + LANES);
            c30.intoArray(c, cIndex + 3 * ldc);
            c31.intoArray(c, cIndex + 3 * ldc + LANES);
        } else {
            c00.intoArray(sums, sumsIndex + 0 * NR + 0 * LANES);
            c01.intoArray(sums, sumsIndex + 0 * NR + 1 * LANES);
            c10.intoArray(sums, sumsIndex + 1 * NR + 0 * LANES);
            c11.intoArray(sums, sumsIndex + 1 * NR + 1 * LANES);
            c20.intoArray(sums, sumsIndex + 2 * NR + 0 * LANES);
            c21.intoArray(sums, sumsIndex + 2 * NR + 1 * LANES);
            c30.intoArray(sums, sumsIndex + 3 * NR + 0 * LANES);
            c31.intoArray(sums, sumsIndex + 3 * NR + 1 * LANES);
        }
    }
}
