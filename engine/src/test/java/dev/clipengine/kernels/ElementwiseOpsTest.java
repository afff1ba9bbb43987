package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.AWKWARD_SIZES;
import static dev.clipengine.kernels.KernelTesting.ELEMENTWISE_TOLERANCE;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bias, ReLU and mean pooling, forward and backward, against the reference. */
class ElementwiseOpsTest {

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void addBiasAndItsGradient(Backend backend) {
        Random random = new Random(21);
        // 2053 rows: with 65 or more columns, enough to split addBias over the threads, into a short last part
        for (int rows : new int[] {1, 7, 64, 300, 2053}) {
            for (int cols : AWKWARD_SIZES) {
                String what = backend.name() + " " + rows + "x" + cols;
                // arrays longer than needed: only the leading elements may change
                float[] x = random(random, rows * cols + 5);
                float[] bias = random(random, cols + 3);
                float[] expected = x.clone();
                float[] actual = x.clone();
                REFERENCE.addBias(rows, cols, expected, bias);
                backend.addBias(rows, cols, actual, bias);
                assertClose("addBias " + what, expected, actual, ELEMENTWISE_TOLERANCE);

                float[] expectedBias = random(random, cols + 3);
                float[] actualBias = expectedBias.clone();
                REFERENCE.biasBackward(rows, cols, x, expectedBias);
                backend.biasBackward(rows, cols, x, actualBias);
                assertClose("biasBackward " + what, expectedBias, actualBias, depthTolerance(rows));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void reluAndItsGradient(Backend backend) {
        Random random = new Random(22);
        for (int n : new int[] {1, 7, 15, 16, 17, 31, 33, 63, 65, 127, 1000, 4099}) {
            float[] x = random(random, n + 4);
            // the edge cases the comparison must treat like the reference
            x[0] = -0f;
            if (n > 3) {
                x[1] = Float.NaN;
                x[2] = 0f;
                x[3] = Float.MIN_VALUE;
            }
            float[] expected = x.clone();
            float[] actual = x.clone();
            REFERENCE.relu(n, expected);
            backend.relu(n, actual);
            KernelTesting.assertBitwiseEqual("relu " + n, expected, actual);

            float[] dy = random(random, n + 4);
            float[] expectedDy = dy.clone();
            float[] actualDy = dy.clone();
            REFERENCE.reluBackward(n, x, expectedDy);
            backend.reluBackward(n, x, actualDy);
            KernelTesting.assertBitwiseEqual("reluBackward " + n, expectedDy, actualDy);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void meanPoolWithVariableGroupsAndItsGradient(Backend backend) {
        Random random = new Random(23);
        for (int cols : AWKWARD_SIZES) {
            int groups = 1 + random.nextInt(9);
            int[] groupStart = new int[groups + 2];
            int largest = 1;
            for (int g = 0; g < groups; g++) {
                // groups of 1 row, a few rows, and one long one
                int size = g == 0 ? 1 : g == groups - 1 ? 77 : 1 + random.nextInt(13);
                largest = Math.max(largest, size);
                groupStart[g + 1] = groupStart[g] + size;
            }
            int rows = groupStart[groups];
            String what = backend.name() + " " + groups + " groups, " + rows + "x" + cols;
            float[] x = random(random, rows * cols + 2);
            float[] expected = random(random, groups * cols + 2);
            float[] actual = expected.clone();
            REFERENCE.meanPool(groups, groupStart, cols, x, expected);
            backend.meanPool(groups, groupStart, cols, x, actual);
            assertClose("meanPool " + what, expected, actual, depthTolerance(largest));

            float[] dOut = random(random, groups * cols);
            float[] expectedDx = random(random, rows * cols + 2);
            float[] actualDx = expectedDx.clone();
            REFERENCE.meanPoolBackward(groups, groupStart, cols, dOut, expectedDx);
            backend.meanPoolBackward(groups, groupStart, cols, dOut, actualDx);
            assertClose("meanPoolBackward " + what, expectedDx, actualDx, ELEMENTWISE_TOLERANCE);
        }
    }
}
