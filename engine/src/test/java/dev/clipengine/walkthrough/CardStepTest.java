package dev.clipengine.walkthrough;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.kernels.VectorBackend;
import dev.clipengine.model.ClipModel;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CardStepTest {

    private static final int N = CardSetup.PAIRS;

    @Test
    void theHandPickedStartKeepsEveryNumberSmallAndEveryUnitAlive() {
        CardSetup setup = CardSetup.handPicked();
        ClipModel model = setup.model();
        CardTrace trace = CardStep.run(setup, new ScalarBackend(), 1, 0.1f);
        // pre-activations of both encoders, again from the inputs: none on ReLU's kink, some cut
        checkEncoder(trace.text().input(), trace.weights().get(ClipModel.TEXT_ENCODER_WEIGHT),
                trace.weights().get(ClipModel.TEXT_ENCODER_BIAS));
        checkEncoder(trace.image().input(), trace.weights().get(ClipModel.IMAGE_ENCODER_WEIGHT),
                trace.weights().get(ClipModel.IMAGE_ENCODER_BIAS));
        for (Matrix m : new Matrix[] {trace.text().pooled(), trace.image().pooled(), trace.text().embeddings(),
                trace.image().embeddings()}) {
            assertIntegers(m);
        }
        Matrix similarities = trace.head().similarities();
        assertIntegers(similarities);
        Set<Float> distinct = new HashSet<>();
        int ownCaptionFirst = 0;
        for (int i = 0; i < N; i++) {
            int best = 0;
            for (int j = 0; j < N; j++) {
                float x = similarities.get(i, j);
                assertTrue(x >= -2 && x <= 3, "3^x stays easy: " + similarities);
                distinct.add(x);
                best = x > similarities.get(i, best) ? j : best;
            }
            ownCaptionFirst += best == i ? 1 : 0;
        }
        assertTrue(distinct.size() >= 5, "distinct similarities: " + similarities);
        assertEquals(1, ownCaptionFirst, "some images still prefer another caption: " + similarities);
        assertTrue(trace.lossAfter() < trace.head().loss(), "one step lowers the loss");
        assertEquals(0f, model.logitScale(), "scale 1, as on the card");
    }

    @Test
    void base3RaisesThreeToEachSimilarity() {
        CardTrace trace = CardStep.run(CardSetup.handPicked(), new ScalarBackend(), CardStep.BASE_3_SCALE, 0.1f);
        CardTrace.Head head = trace.head();
        for (int ij = 0; ij < N * N; ij++) {
            double expected = Math.pow(3, head.similarities().values()[ij]);
            assertEquals(expected, head.exponentials().values()[ij], 1e-5 * expected);
        }
        for (int i = 0; i < N; i++) {
            double sum = 0;
            for (int j = 0; j < N; j++) {
                sum += head.exponentials().get(i, j);
            }
            assertEquals(sum, head.rowSums().get(i, 0), 1e-5 * sum, "[11] sums [10]'s row");
        }
    }

    @Test
    void theStepIsPlainSgdOnTheEncodersAndProjections() {
        float lr = 0.25f;
        CardSetup setup = CardSetup.random(3);
        CardTrace trace = CardStep.run(setup, new ScalarBackend(), 1, lr);
        for (String name : CardStep.TRAINED) {
            float[] before = trace.weights().get(name).values();
            float[] gradient = trace.gradients().get(name).values();
            float[] expected = new float[before.length];
            for (int i = 0; i < before.length; i++) {
                expected[i] = before[i] - lr * gradient[i];
            }
            assertArrayEquals(expected, trace.updated().get(name).values(), name);
            assertArrayEquals(expected, setup.model().tensor(name).data(), name + ": the model keeps the step");
        }
    }

    @Test
    void scalarAndVectorBackendsAgreeWithinTheTolerance() {
        try (Backend vector = new VectorBackend(2)) {
            CardTrace reference = CardStep.run(CardSetup.random(7), new ScalarBackend(), CardStep.BASE_3_SCALE, 0.1f);
            CardTrace other = CardStep.run(CardSetup.random(7), vector, CardStep.BASE_3_SCALE, 0.1f);
            assertClose(reference.head().dLogits(), other.head().dLogits());
            assertClose(reference.head().exponentials(), other.head().exponentials());
            for (String name : reference.gradients().keySet()) {
                assertClose(reference.gradients().get(name), other.gradients().get(name));
            }
        }
    }

    private static void checkEncoder(Matrix input, Matrix weight, Matrix bias) {
        boolean cut = false;
        for (int h = 0; h < weight.rows(); h++) {
            boolean alive = false;
            for (int r = 0; r < input.rows(); r++) {
                double z = bias.get(h, 0);
                for (int d = 0; d < input.cols(); d++) {
                    z += weight.get(h, d) * input.get(r, d);
                }
                assertTrue(z != 0, "unit " + h + " of row " + r + " sits on ReLU's kink");
                alive |= z > 0;
                cut |= z < 0;
            }
            assertTrue(alive, "unit " + h + " is never positive");
        }
        assertTrue(cut, "ReLU cuts something");
    }

    private static void assertIntegers(Matrix m) {
        for (float v : m.values()) {
            assertEquals(Math.rint(v), v, 0, "a hand calculation's integer: " + m);
        }
    }

    private static void assertClose(Matrix expected, Matrix actual) {
        float[] e = expected.values();
        float[] a = actual.values();
        double largest = 1;
        for (float v : e) {
            largest = Math.max(largest, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4 * largest, "element " + i);
        }
    }
}
