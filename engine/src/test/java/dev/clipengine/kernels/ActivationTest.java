package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.ELEMENTWISE_TOLERANCE;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertBitwiseEqual;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GELU and QuickGELU and their derivatives: every backend against the reference at awkward
 * lengths and at saturating inputs, the backward pass in place, the same bits for any thread
 * count, and the reference and every backend against finite differences of both functions in
 * double ({@link DoubleFunctions}).
 */
class ActivationTest {

    /** Lengths around the vector widths of 8 and 16 floats, and around the 8192 elements a part takes. */
    private static final int[] LENGTHS = {1, 2, 7, 8, 9, 15, 16, 17, 33, 64, 65, 127, 1000, 8191, 8192, 8193,
            3 * 8192 + 5};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void forwardAndBackwardMatchTheReference(Backend backend) {
        Random random = new Random(111);
        for (Activation kind : Activation.values()) {
            for (int n : LENGTHS) {
                String what = backend.name() + " " + kind + " n=" + n;
                // the range where both functions bend, past which they are x or 0
                float[] x = random(random, n + 3, -6f, 6f);
                compare(backend, kind, n, x, random, what);
            }
        }
    }

    /**
     * Inputs where the functions saturate (exp overflows or underflows, erf is +-1), compared in
     * groups of similar magnitude so that the tolerance, relative to the largest output, stays tight.
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void saturatingAndSpecialInputsMatchTheReference(Backend backend) {
        float[][] groups = {
            {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 1e-3f, -1e-3f},
            {-6f, -5.5f, -8f, -9f, -10f, -12f, -15f, -20f, -30f, -50f, -60f, -88f, -100f, -1e4f, -1e30f},
            {6f, 8f, 9f, 10f, 12f, 15f, 20f, 30f},
            {50f, 60f, 88f, 100f},
            {1e4f, 3e4f},
        };
        for (Activation kind : Activation.values()) {
            for (float[] group : groups) {
                // each group repeated past a vector, so that its values reach the vector body and the tail
                int n = 3 * group.length + 1;
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = group[i % group.length];
                }
                compare(backend, kind, n, x, new Random(112), backend.name() + " " + kind + " " + group[0] + "..");
            }
        }
    }

    private static void compare(Backend backend, Activation kind, int n, float[] x, Random random, String what) {
        // outputs longer than needed and not zero: only the leading elements may change
        float[] expected = random(random, x.length);
        float[] actual = expected.clone();
        REFERENCE.activation(kind, n, x, expected);
        backend.activation(kind, n, x, actual);
        assertClose("activation " + what, expected, actual, ELEMENTWISE_TOLERANCE);

        float[] dy = random(random, x.length);
        float[] expectedDx = random(random, x.length);
        float[] actualDx = expectedDx.clone();
        REFERENCE.activationBackward(kind, n, x, dy, expectedDx);
        backend.activationBackward(kind, n, x, dy, actualDx);
        assertClose("activationBackward " + what, expectedDx, actualDx, ELEMENTWISE_TOLERANCE);

        // the MLP's backward pass turns dy into dx in place
        float[] inPlace = dy.clone();
        backend.activationBackward(kind, n, x, inPlace, inPlace);
        float[] separate = new float[x.length];
        backend.activationBackward(kind, n, x, dy, separate);
        System.arraycopy(dy, n, separate, n, x.length - n);
        assertBitwiseEqual("activationBackward with dx == dy " + what, separate, inPlace);
    }

    /** The reference itself, in place: dx may be dy for every backend. */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void backwardInPlaceEqualsBackwardIntoAnotherArray(Backend backend) {
        Random random = new Random(113);
        for (Activation kind : Activation.values()) {
            for (int n : new int[] {1, 17, 8193}) {
                float[] x = random(random, n, -5f, 5f);
                float[] dy = random(random, n);
                float[] separate = new float[n];
                backend.activationBackward(kind, n, x, dy, separate);
                float[] inPlace = dy.clone();
                backend.activationBackward(kind, n, x, inPlace, inPlace);
                assertBitwiseEqual(backend.name() + " " + kind + " n=" + n, separate, inPlace);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#threadPairs")
    void oneAndTwoThreadsGiveTheSameBits(Backend one, Backend two) {
        Random random = new Random(114);
        int n = 5 * 8192 + 13;
        float[] x = random(random, n, -8f, 8f);
        float[] dy = random(random, n);
        for (Activation kind : Activation.values()) {
            float[] y1 = new float[n];
            float[] y2 = new float[n];
            one.activation(kind, n, x, y1);
            two.activation(kind, n, x, y2);
            assertBitwiseEqual("activation " + kind, y1, y2);
            one.activationBackward(kind, n, x, dy, y1);
            two.activationBackward(kind, n, x, dy, y2);
            assertBitwiseEqual("activationBackward " + kind, y1, y2);
        }
    }

    /**
     * dx of {@code L = sum w act(x)} against central differences of GELU and QuickGELU in double,
     * over the range where they bend, 0 included, and the forward pass against the same functions.
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void backwardMatchesFiniteDifferences(Backend backend) {
        Random random = new Random(115);
        int n = 41;
        float[] x = random(random, n, -6f, 6f);
        x[0] = 0f;
        x[1] = -4.5f; // erf's argument past 3
        x[2] = 4.5f;
        float[] w = FiniteDifferences.weights(random, n);
        double[] xd = FiniteDifferences.toDouble(x, n);
        for (Activation kind : Activation.values()) {
            float[] dx = new float[n];
            backend.activationBackward(kind, n, x, w, dx);
            double[] numeric = FiniteDifferences.gradient(xd, () -> {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += w[i] * DoubleFunctions.activation(kind, xd[i]);
                }
                return sum;
            });
            FiniteDifferences.assertGradient(backend.name() + " " + kind, numeric, dx);

            float[] y = new float[n];
            backend.activation(kind, n, x, y);
            float[] exact = new float[n];
            for (int i = 0; i < n; i++) {
                exact[i] = (float) DoubleFunctions.activation(kind, xd[i]);
            }
            assertClose(backend.name() + " " + kind + " against double", exact, y, ELEMENTWISE_TOLERANCE);
        }
    }

    /** The double functions this test checks against agree with published values. */
    @Test
    void theDoubleFunctionsAreRight() {
        // erf to 1e-13 against its tabulated values, on both sides of the switch at 3
        double[][] erf = {{0.5, 0.520499877813047}, {1, 0.842700792949715}, {2, 0.995322265018953},
            {2.5, 0.999593047982555}, {3, 0.999977909503001}, {3.5, 0.999999256901628}, {4, 0.999999984582742}};
        for (double[] pair : erf) {
            assertEquals(pair[1], DoubleFunctions.erf(pair[0]), 1e-13, "erf(" + pair[0] + ")");
            assertEquals(-pair[1], DoubleFunctions.erf(-pair[0]), 1e-13, "erf(-" + pair[0] + ")");
        }
        // GELU(1) = Phi(1); QuickGELU(1) = sigmoid(1.702)
        assertEquals(0.841344746068543, DoubleFunctions.gelu(1), 1e-13);
        assertEquals(-0.158655253931457, DoubleFunctions.gelu(-1), 1e-13);
        assertEquals(1 / (1 + Math.exp(-1.702)), DoubleFunctions.quickGelu(1), 1e-7);
    }
}
