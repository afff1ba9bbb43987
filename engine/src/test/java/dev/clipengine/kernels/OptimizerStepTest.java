package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.ELEMENTWISE_TOLERANCE;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SGD and AdamW updates over a few steps, short and long enough to be split across threads. */
class OptimizerStepTest {

    private static final int[] SIZES = {1, 7, 15, 16, 17, 33, 65, 127, 1000, 300_007};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void sgdWithAndWithoutMomentumAndDecay(Backend backend) {
        Random random = new Random(61);
        float[][] settings = {{0.1f, 0f, 0f}, {0.05f, 0.9f, 0f}, {0.01f, 0.9f, 1e-2f}, {0.2f, 0f, 0.1f}};
        for (int n : SIZES) {
            for (float[] s : settings) {
                String what = backend.name() + " sgd n " + n + " lr " + s[0] + " momentum " + s[1] + " wd " + s[2];
                float[] w = random(random, n + 3);
                float[] buffer = random(random, n + 3);
                float[] expectedW = w.clone();
                float[] actualW = w.clone();
                float[] expectedBuffer = buffer.clone();
                float[] actualBuffer = buffer.clone();
                for (int step = 0; step < 3; step++) {
                    float[] g = random(random, n + 3);
                    REFERENCE.sgdStep(n, expectedW, g, s[1] == 0f ? null : expectedBuffer, s[0], s[1], s[2]);
                    backend.sgdStep(n, actualW, g, s[1] == 0f ? null : actualBuffer, s[0], s[1], s[2]);
                }
                assertClose(what, expectedW, actualW, ELEMENTWISE_TOLERANCE);
                assertClose(what + " momentum buffer", expectedBuffer, actualBuffer, ELEMENTWISE_TOLERANCE);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void adamwOverSeveralSteps(Backend backend) {
        Random random = new Random(62);
        for (int n : SIZES) {
            for (float weightDecay : new float[] {0f, 0.1f}) {
                String what = backend.name() + " adamw n " + n + " wd " + weightDecay;
                float[] w = random(random, n + 3);
                float[] expectedW = w.clone();
                float[] actualW = w.clone();
                float[] expectedM = new float[n + 3];
                float[] actualM = new float[n + 3];
                float[] expectedV = new float[n + 3];
                float[] actualV = new float[n + 3];
                float beta1 = 0.9f;
                float beta2 = 0.98f;
                for (int step = 1; step <= 3; step++) {
                    float[] g = random(random, n + 3);
                    float bc1 = (float) (1 - Math.pow(beta1, step));
                    float bc2 = (float) (1 - Math.pow(beta2, step));
                    REFERENCE.adamwStep(n, expectedW, g, expectedM, expectedV, 1e-3f, beta1, beta2, 1e-6f,
                            weightDecay, bc1, bc2);
                    backend.adamwStep(n, actualW, g, actualM, actualV, 1e-3f, beta1, beta2, 1e-6f,
                            weightDecay, bc1, bc2);
                }
                assertClose(what + " w", expectedW, actualW, ELEMENTWISE_TOLERANCE);
                assertClose(what + " m", expectedM, actualM, ELEMENTWISE_TOLERANCE);
                assertClose(what + " v", expectedV, actualV, ELEMENTWISE_TOLERANCE);
            }
        }
    }
}
