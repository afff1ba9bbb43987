package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.ELEMENTWISE_TOLERANCE;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertBitwiseEqual;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LayerNorm and its backward pass: every backend against the reference at awkward shapes, the
 * backward pass adding into dx, the same bits for any thread count, and the reference and every
 * backend against finite differences of a LayerNorm written here in double.
 */
class LayerNormTest {

    /** 1, primes, around the vector widths of 8 and 16 floats, and 128, the width of vit-tiny. */
    private static final int[] COLUMNS = {1, 2, 7, 8, 9, 15, 16, 17, 33, 64, 65, 127, 128};
    /** From 1 row to more than two parts of 64 rows, so that two threads really share the rows. */
    private static final int[] ROWS = {1, 3, 67, 130};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void forwardAndBackwardMatchTheReference(Backend backend) {
        Random random = new Random(101);
        for (int rows : ROWS) {
            for (int cols : COLUMNS) {
                String what = backend.name() + " " + rows + "x" + cols;
                // rows whose mean is not 0 and whose spread varies from row to row
                float[] x = new float[rows * cols + 3];
                for (int r = 0; r < rows; r++) {
                    float offset = 4 * random.nextFloat() - 2;
                    float spread = 0.1f + 3 * random.nextFloat();
                    for (int c = 0; c < cols; c++) {
                        x[r * cols + c] = offset + spread * (2 * random.nextFloat() - 1);
                    }
                }
                x[rows * cols] = 1e9f; // past the rows: must not be read into any statistic
                float[] gamma = random(random, cols + 2, -2f, 2f);
                float[] beta = random(random, cols + 2);
                // outputs longer than needed and not zero: only the leading elements may change
                float[] expectedY = random(random, rows * cols + 3);
                float[] actualY = expectedY.clone();
                float[] expectedMean = random(random, rows + 2);
                float[] actualMean = expectedMean.clone();
                float[] expectedRstd = random(random, rows + 2);
                float[] actualRstd = expectedRstd.clone();
                REFERENCE.layerNorm(rows, cols, x, gamma, beta, expectedY, expectedMean, expectedRstd);
                backend.layerNorm(rows, cols, x, gamma, beta, actualY, actualMean, actualRstd);
                assertClose("layerNorm y " + what, expectedY, actualY, depthTolerance(cols));
                assertClose("layerNorm mean " + what, expectedMean, actualMean, depthTolerance(cols));
                assertClose("layerNorm rstd " + what, expectedRstd, actualRstd, depthTolerance(cols));

                float[] dy = random(random, rows * cols + 3);
                float[] expectedDx = random(random, rows * cols + 3);
                float[] actualDx = expectedDx.clone();
                float[] expectedDGamma = random(random, cols + 2);
                float[] actualDGamma = expectedDGamma.clone();
                float[] expectedDBeta = random(random, cols + 2);
                float[] actualDBeta = expectedDBeta.clone();
                REFERENCE.layerNormBackward(rows, cols, x, gamma, expectedMean, expectedRstd, dy, expectedDx,
                        expectedDGamma, expectedDBeta);
                backend.layerNormBackward(rows, cols, x, gamma, expectedMean, expectedRstd, dy, actualDx,
                        actualDGamma, actualDBeta);
                assertClose("layerNormBackward dx " + what, expectedDx, actualDx, depthTolerance(cols));
                assertClose("layerNormBackward dGamma " + what, expectedDGamma, actualDGamma, depthTolerance(rows));
                assertClose("layerNormBackward dBeta " + what, expectedDBeta, actualDBeta, depthTolerance(rows));
            }
        }
    }

    /**
     * The residual stream's gradient is already in dx: the backward pass adds to it, while it
     * overwrites dGamma and dBeta whatever they held.
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void backwardAddsToDxAndOverwritesTheParameterGradients(Backend backend) {
        Random random = new Random(102);
        for (int rows : ROWS) {
            for (int cols : new int[] {1, 7, 17, 65}) {
                String what = backend.name() + " " + rows + "x" + cols;
                float[] x = random(random, rows * cols, -2f, 3f);
                float[] gamma = random(random, cols, 0.5f, 1.5f);
                float[] beta = random(random, cols);
                float[] y = new float[rows * cols];
                float[] mean = new float[rows];
                float[] rstd = new float[rows];
                backend.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd);
                float[] dy = random(random, rows * cols);

                float[] fromZero = new float[rows * cols];
                float[] dGammaFromZero = new float[cols];
                float[] dBetaFromZero = new float[cols];
                backend.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, fromZero, dGammaFromZero,
                        dBetaFromZero);

                float[] residual = random(random, rows * cols, -5f, 5f);
                float[] dx = residual.clone();
                float[] dGamma = random(random, cols, 10f, 20f);
                float[] dBeta = random(random, cols, 10f, 20f);
                backend.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
                float[] expected = new float[rows * cols];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = residual[i] + fromZero[i];
                }
                // the same sums with one more rounding: a float's worth of the larger term
                assertClose("layerNormBackward adds to dx " + what, expected, dx, ELEMENTWISE_TOLERANCE);
                assertBitwiseEqual("layerNormBackward overwrites dGamma " + what, dGammaFromZero, dGamma);
                assertBitwiseEqual("layerNormBackward overwrites dBeta " + what, dBetaFromZero, dBeta);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#threadPairs")
    void oneAndTwoThreadsGiveTheSameBits(Backend one, Backend two) {
        Random random = new Random(103);
        // several parts of rows, and of columns for the parameter gradients
        for (int[] shape : new int[][] {{130, 65}, {300, 200}, {67, 17}, {257, 768}}) {
            int rows = shape[0];
            int cols = shape[1];
            String what = rows + "x" + cols;
            float[] x = random(random, rows * cols, -3f, 4f);
            float[] gamma = random(random, cols, -2f, 2f);
            float[] beta = random(random, cols);
            float[] y1 = new float[rows * cols];
            float[] y2 = new float[rows * cols];
            float[] mean1 = new float[rows];
            float[] mean2 = new float[rows];
            float[] rstd1 = new float[rows];
            float[] rstd2 = new float[rows];
            one.layerNorm(rows, cols, x, gamma, beta, y1, mean1, rstd1);
            two.layerNorm(rows, cols, x, gamma, beta, y2, mean2, rstd2);
            assertBitwiseEqual("layerNorm y " + what, y1, y2);
            assertBitwiseEqual("layerNorm mean " + what, mean1, mean2);
            assertBitwiseEqual("layerNorm rstd " + what, rstd1, rstd2);

            float[] dy = random(random, rows * cols);
            float[] dx1 = random(random, rows * cols);
            float[] dx2 = dx1.clone();
            float[] dGamma1 = new float[cols];
            float[] dGamma2 = new float[cols];
            float[] dBeta1 = new float[cols];
            float[] dBeta2 = new float[cols];
            one.layerNormBackward(rows, cols, x, gamma, mean1, rstd1, dy, dx1, dGamma1, dBeta1);
            two.layerNormBackward(rows, cols, x, gamma, mean1, rstd1, dy, dx2, dGamma2, dBeta2);
            assertBitwiseEqual("layerNormBackward dx " + what, dx1, dx2);
            assertBitwiseEqual("layerNormBackward dGamma " + what, dGamma1, dGamma2);
            assertBitwiseEqual("layerNormBackward dBeta " + what, dBeta1, dBeta2);
        }
    }

    /**
     * dx, dGamma and dBeta of {@code L = sum w y} against central differences of a LayerNorm
     * computed here in double, at a general point (gamma not 1, beta not 0, rows of different
     * means and spreads).
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void backwardMatchesFiniteDifferences(Backend backend) {
        Random random = new Random(104);
        for (int cols : new int[] {1, 3, 5, 17}) {
            int rows = 3;
            String what = backend.name() + " " + rows + "x" + cols;
            float[] x = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                float offset = 2 * random.nextFloat() - 1;
                float spread = 0.3f + random.nextFloat();
                for (int c = 0; c < cols; c++) {
                    x[r * cols + c] = offset + spread * (2 * random.nextFloat() - 1);
                }
            }
            float[] gamma = random(random, cols, -1.5f, 1.5f);
            float[] beta = random(random, cols);
            float[] w = FiniteDifferences.weights(random, rows * cols);

            float[] y = new float[rows * cols];
            float[] mean = new float[rows];
            float[] rstd = new float[rows];
            backend.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd);
            float[] dx = new float[rows * cols];
            float[] dGamma = new float[cols];
            float[] dBeta = new float[cols];
            backend.layerNormBackward(rows, cols, x, gamma, mean, rstd, w, dx, dGamma, dBeta);

            double[] xd = FiniteDifferences.toDouble(x, x.length);
            double[] gammaD = FiniteDifferences.toDouble(gamma, cols);
            double[] betaD = FiniteDifferences.toDouble(beta, cols);
            java.util.function.DoubleSupplier loss =
                    () -> FiniteDifferences.weightedSum(w, layerNorm(rows, cols, xd, gammaD, betaD));
            FiniteDifferences.assertGradient("dx " + what, FiniteDifferences.gradient(xd, loss), dx);
            FiniteDifferences.assertGradient("dGamma " + what, FiniteDifferences.gradient(gammaD, loss), dGamma);
            FiniteDifferences.assertGradient("dBeta " + what, FiniteDifferences.gradient(betaD, loss), dBeta);
        }
    }

    /** PyTorch's LayerNorm in double: the biased variance, epsilon 1e-5 inside the square root. */
    private static double[] layerNorm(int rows, int cols, double[] x, double[] gamma, double[] beta) {
        double[] y = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += x[r * cols + c];
            }
            mean /= cols;
            double variance = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[r * cols + c] - mean;
                variance += d * d;
            }
            variance /= cols;
            double deviation = Math.sqrt(variance + 1e-5);
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (x[r * cols + c] - mean) / deviation * gamma[c] + beta[c];
            }
        }
        return y;
    }
}
