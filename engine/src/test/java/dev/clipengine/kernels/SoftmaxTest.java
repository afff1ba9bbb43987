package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.AWKWARD_SIZES;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Softmax over rows and over columns, and their log-sum-exp, on small and on large logits. */
class SoftmaxTest {

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void rowsAndColumns(Backend backend) {
        Random random = new Random(41);
        // logits of a few units, and of a scale of 100 where most exps underflow
        for (float spread : new float[] {1f, 30f, 200f}) {
            for (int rows : new int[] {1, 7, 16, 33, 67}) {
                for (int cols : AWKWARD_SIZES) {
                    String what = backend.name() + " " + rows + "x" + cols + " spread " + spread;
                    float[] x = random(random, rows * cols + 3, -spread, spread);
                    int depth = Math.max(rows, cols);

                    float[] expected = random(random, rows * cols + 3);
                    float[] actual = expected.clone();
                    float[] expectedLse = new float[rows + 1];
                    float[] actualLse = new float[rows + 1];
                    REFERENCE.softmaxRows(rows, cols, x, expected, expectedLse);
                    backend.softmaxRows(rows, cols, x, actual, actualLse);
                    assertClose("softmaxRows " + what, expected, actual, depthTolerance(cols));
                    assertClose("softmaxRows logSumExp " + what, expectedLse, actualLse, depthTolerance(cols));

                    expectedLse = new float[cols + 1];
                    actualLse = new float[cols + 1];
                    REFERENCE.softmaxColumns(rows, cols, x, expected, expectedLse);
                    backend.softmaxColumns(rows, cols, x, actual, actualLse);
                    assertClose("softmaxColumns " + what, expected, actual, depthTolerance(depth));
                    assertClose("softmaxColumns logSumExp " + what, expectedLse, actualLse, depthTolerance(rows));
                }
            }
        }
    }
}
