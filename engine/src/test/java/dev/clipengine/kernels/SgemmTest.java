package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** sgemm against the reference: every transpose, awkward shapes, offsets, leading dimensions, alpha and beta. */
class SgemmTest {

    /**
     * m, n, k: edges of the 6-row tile and the 64-column panel, depths across the KC-deep block (128
     * or 256) and the narrow path's 6 * KC packed depths, k = 0; C narrower than a vector (taken
     * transposed), and small both ways over a long depth (dot products).
     */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 17, 33}, {7, 13, 31}, {13, 7, 127}, {15, 16, 17}, {16, 16, 16}, {17, 15, 16},
            {31, 32, 33}, {33, 31, 32}, {47, 48, 49}, {49, 47, 48}, {63, 64, 65}, {65, 64, 63}, {64, 64, 64},
            {6, 64, 128}, {12, 128, 129}, {5, 3, 300}, {127, 67, 13}, {67, 127, 257}, {2, 200, 7}, {3, 5, 0},
            {1031, 3, 5}, {3, 5, 300}, {1, 1, 64}, {7, 7, 4099}, {2, 3, 33}, {13, 40, 1601},
    };

    /** alpha, beta; beta 0 runs on a C full of NaN. */
    private static final float[][] SCALES = {{1f, 0f}, {0.5f, 0f}, {1f, 1f}, {-1.5f, 0.25f}, {2f, -1f}};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void awkwardShapesEveryTransposeAndScale(Backend backend) {
        Random random = new Random(11);
        int variant = 0;
        for (int[] shape : SHAPES) {
            for (int transposes = 0; transposes < 4; transposes++) {
                float[] scales = SCALES[variant % SCALES.length];
                int padding = variant % 3 == 0 ? 0 : 1 + variant % 5;
                check(backend, random, transposes >= 2, transposes % 2 == 1, shape[0], shape[1], shape[2],
                        scales[0], scales[1], padding);
                variant++;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void largeShapesSplitAcrossThreads(Backend backend) {
        Random random = new Random(12);
        // 257x129x67 and 300^3 split by columns on 2 threads, 600x48x200 by rows; 128x1100x2800
        // copies a large op(A) (358,400 floats) into every part of columns, so those parts are at
        // most a packed block wide: four of them
        int[][] shapes = {{257, 129, 67}, {300, 300, 300}, {600, 48, 200}, {64, 640, 64}, {128, 1100, 2800}};
        for (int[] shape : shapes) {
            for (int transposes = 0; transposes < 4; transposes++) {
                boolean nanC = transposes % 2 == 0;
                check(backend, random, transposes >= 2, transposes % 2 == 1, shape[0], shape[1], shape[2],
                        nanC ? 1f : 0.75f, nanC ? 0f : 1.5f, 3);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void trainingShapes(Backend backend) {
        Random random = new Random(13);
        // patch encoder forward, its weight gradient and its input gradient
        check(backend, random, false, true, 1024, 256, 48, 1f, 0f, 0);
        check(backend, random, true, false, 256, 48, 1024, 1f, 1f, 0);
        check(backend, random, false, false, 1024, 48, 256, 1f, 0f, 0);
    }

    /**
     * The vector backend's bits are those of the order its class comment promises, whatever its
     * tile, blocking or thread count: per element, for each KC-deep block a chain of fused
     * multiply-adds from zero over A times alpha * B, added to C as it stands (the first block as
     * {@code fma(C, beta, sum)}, or the sum alone when beta is 0). C is at least a vector wide,
     * so none of these products takes the narrow shapes' own paths; the few-row linear layers
     * among them (NT, alpha 1) are taken the other way round, to the same bits. The tile kernel 4
     * rows high, which this JVM may not choose, gives the same bits as 6 (with 512-bit vectors
     * there is no such kernel, and the tile rows change nothing).
     */
    @ParameterizedTest
    @CsvSource({"1, 6", "2, 6", "1, 4", "2, 4"})
    void vectorSumsInTheDocumentedOrder(int threads, int tileRows) {
        Random random = new Random(14);
        // 1030 and 1601 past the narrow path's 1536 packed depths; a transposed A is copied four rows
        // interleaved, 384 rows at a time: 67 rows end in a tile of three, 401 in a second copy of 17
        // (a product large enough to be split between threads)
        int[][] shapes = {{13, 33, 129}, {70, 50, 300}, {200, 333, 700}, {31, 17, 1030}, {9, 70, 1601}, {67, 131, 300},
                {401, 67, 100}};
        try (Backend backend = new VectorBackend(threads, tileRows)) {
            int variant = 0;
            for (int[] shape : shapes) {
                for (int transposes = 0; transposes < 4; transposes++) {
                    int m = shape[0];
                    int n = shape[1];
                    int k = shape[2];
                    boolean transA = transposes >= 2;
                    boolean transB = transposes % 2 == 1;
                    // alpha 1 for every product of a shape, 1.5 for the next shape's
                    float alpha = variant / 4 % 2 == 0 ? 1f : 1.5f;
                    float beta = variant % 3 == 0 ? 0f : -0.75f;
                    variant++;
                    int lda = transA ? m : k;
                    int ldb = transB ? k : n;
                    float[] a = KernelTesting.random(random, m * k);
                    float[] b = KernelTesting.random(random, k * n);
                    float[] c = KernelTesting.random(random, m * n);
                    float[] expected = c.clone();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float cij = c[i * n + j];
                            for (int pc = 0; pc < k; pc += VectorGemm.KC) {
                                float sum = 0f;
                                for (int p = pc; p < Math.min(k, pc + VectorGemm.KC); p++) {
                                    float aip = transA ? a[p * lda + i] : a[i * lda + p];
                                    float bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
                                    sum = Math.fma(aip, alpha * bpj, sum);
                                }
                                cij = pc > 0 ? cij + sum : beta == 0f ? sum : Math.fma(cij, beta, sum);
                            }
                            expected[i * n + j] = cij;
                        }
                    }
                    backend.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, n);
                    KernelTesting.assertBitwiseEqual("vector sgemm " + (transA ? "T" : "N") + (transB ? "T" : "N")
                            + " " + m + "x" + n + "x" + k + " alpha " + alpha + " beta " + beta + " on " + threads
                            + " threads, " + tileRows + "-row tiles", expected, c);
                }
            }
        }
    }

    /**
     * A row of {@code x W^T} (a linear layer) has the same bits whether x has that one row or many:
     * a caption embedded alone or in a batch. Few rows take the product the other way round, a C
     * narrower than a vector too, many take it directly; all sum each element in the same order.
     * Outputs narrower than a vector and wider than the few rows, C full of NaN for beta 0 or
     * added to, x and W at offsets with padded rows, across the packed blocks (k past 1536), on 1
     * thread and 2.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aLinearLayersRowsDoNotDependOnTheBatch(int threads) {
        Random random = new Random(16);
        int most = VectorGemm.FEW_ROWS + 40;
        int[] batches = {1, 2, 3, 5, 7, 12, 13, 40, VectorGemm.FEW_ROWS, VectorGemm.FEW_ROWS + 1, most};
        try (Backend backend = new VectorBackend(threads)) {
            for (int n : new int[] {3, most + 14}) {
                for (int k : new int[] {300, 1601}) {
                    int lda = k + 3;
                    int ldb = k + 5;
                    float[] x = KernelTesting.random(random, 7 + most * lda);
                    float[] w = KernelTesting.random(random, 2 + n * ldb);
                    float[] c = KernelTesting.random(random, most * n);
                    for (float beta : new float[] {0f, 1f, -0.5f}) {
                        float[] start = beta == 0f ? nans(c.length) : c;
                        float[] all = start.clone();
                        backend.sgemm(false, true, most, n, k, 1f, x, 7, lda, w, 2, ldb, beta, all, 0, n);
                        for (int rows : batches) {
                            float[] some = Arrays.copyOf(start, rows * n);
                            backend.sgemm(false, true, rows, n, k, 1f, x, 7, lda, w, 2, ldb, beta, some, 0, n);
                            KernelTesting.assertBitwiseEqual("x W^T, " + rows + " of " + most + " rows, n " + n
                                    + ", k " + k + ", beta " + beta + ", " + threads + " threads",
                                    Arrays.copyOf(all, rows * n), some);
                        }
                    }
                }
            }
        }
    }

    private static float[] nans(int length) {
        float[] values = new float[length];
        Arrays.fill(values, Float.NaN);
        return values;
    }

    /**
     * Runs one product on both backends with the matrices at offsets inside larger arrays, rows
     * padded by padding, and checks C inside against the tolerance and outside for being untouched.
     */
    static void check(Backend backend, Random random, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float beta, int padding) {
        String what = backend.name() + " sgemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n
                + "x" + k + " alpha " + alpha + " beta " + beta + " padding " + padding;
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = Math.max(1, aCols + padding);
        int ldb = Math.max(1, bCols + padding);
        int ldc = n + padding;
        int aOffset = padding * 7;
        int bOffset = padding * 5;
        int cOffset = padding * 3;
        float[] a = KernelTesting.random(random, aOffset + aRows * lda + padding);
        float[] b = KernelTesting.random(random, bOffset + bRows * ldb + padding);
        float[] c = KernelTesting.random(random, cOffset + m * ldc + padding);
        if (beta == 0f) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, Float.NaN);
            }
        }
        float[] expected = c.clone();
        REFERENCE.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, expected, cOffset, ldc);
        float[] actual = c.clone();
        backend.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, actual, cOffset, ldc);
        assertClose(what, expected, actual, depthTolerance(k));
        for (int i = 0; i < c.length; i++) {
            int row = i < cOffset ? -1 : (i - cOffset) / ldc;
            int column = i < cOffset ? -1 : (i - cOffset) % ldc;
            boolean inside = row >= 0 && row < m && column < n;
            if (!inside) {
                assertEquals(Float.floatToRawIntBits(c[i]), Float.floatToRawIntBits(actual[i]),
                        what + ": wrote outside C at " + i);
            }
        }
    }
}
