package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.AWKWARD_SIZES;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** L2 normalisation of rows and its gradient, including rows whose norm is clamped. */
class NormalizeTest {

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void normalizeAndItsGradient(Backend backend) {
        Random random = new Random(51);
        for (int rows : new int[] {1, 5, 64}) {
            for (int cols : AWKWARD_SIZES) {
                String what = backend.name() + " " + rows + "x" + cols;
                float[] x = random(random, rows * cols + 2, -3f, 3f);
                if (rows > 1) {
                    // a zero row: the norm is clamped and the gradient is dy / 1e-12
                    Arrays.fill(x, cols, 2 * cols, 0f);
                }
                float[] expectedY = new float[rows * cols + 2];
                float[] actualY = expectedY.clone();
                float[] expectedNorms = new float[rows];
                float[] actualNorms = new float[rows];
                REFERENCE.l2Normalize(rows, cols, x, expectedY, expectedNorms);
                backend.l2Normalize(rows, cols, x, actualY, actualNorms);
                assertClose("l2Normalize " + what, expectedY, actualY, depthTolerance(cols));
                assertClose("l2Normalize norms " + what, expectedNorms, actualNorms, depthTolerance(cols));

                float[] dy = random(random, rows * cols + 2);
                if (rows > 1) {
                    // keep the clamped row's gradient (dy / 1e-12) on the scale of the others
                    for (int c = cols; c < 2 * cols; c++) {
                        dy[c] *= 1e-12f;
                    }
                }
                float[] expectedDx = random(random, rows * cols + 2);
                float[] actualDx = expectedDx.clone();
                REFERENCE.l2NormalizeBackward(rows, cols, expectedY, expectedNorms, dy, expectedDx);
                backend.l2NormalizeBackward(rows, cols, expectedY, expectedNorms, dy, actualDx);
                assertClose("l2NormalizeBackward " + what, expectedDx, actualDx, depthTolerance(cols));
            }
        }
    }
}
