package dev.clipengine.model;

import dev.clipengine.Rng;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.FiniteDifferences;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.kernels.VectorBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every gradient of a tiny transformer CLIP, on the scalar and the vector backend, against central
 * differences of the same model written in double precision ({@link DoubleTransformer}), with
 * respect to every element of every parameter tensor.
 *
 * <p>The differences are taken of the double model, not of the engine's float loss: the float
 * loss is not smooth below its rounding noise (some 1e-7), so its differences would need a step
 * near 1e-2, and would then be off by 1e-4 to 1e-3 of a gradient from rounding and truncation
 * together, too coarse to see a small missing term. The double model's differences with a step
 * of 1e-5 are good to below 1e-9, so the comparison is limited only by the engine's float
 * gradients, good to a few 1e-6 of each tensor's largest element. The engine's float loss is
 * checked against the double model's too.
 */
class TransformerGradientCheckTest {

    private static final double STEP = 1e-5;
    /**
     * Each tensor's worst error relative to its largest gradient element (floored, so that a
     * tensor with a tiny gradient is not asked for more than float arithmetic can give). The
     * float gradients are measured within 3e-6 of it; a wrong sign, a missing term or a wrong
     * saved statistic in any one tensor's gradient is off by 1e-2 to 1.
     */
    private static final double TOLERANCE = 3e-5;
    private static final double FLOOR = 1e-3;
    private static final int PAIRS = 3;

    /**
     * embed 3; images of 8x8 in 4 patches of 4x4 (5 tokens), width 8, two heads of 4, two layers;
     * captions of 5 tokens, width 8, two heads, two layers; MLPs of width 16.
     */
    static TransformerConfig config(boolean quickGelu) {
        return new TransformerConfig(3, quickGelu, new TransformerConfig.Vision(8, 4, 8, 2, 4, 2.0),
                new TransformerConfig.Text(5, 7, 8, 2, 2, 2.0), TransformerConfig.WORDS, PixelNormalization.OPENAI);
    }

    @ParameterizedTest(name = "quick_gelu={0}")
    @ValueSource(booleans = {true, false})
    void everyGradientMatchesFiniteDifferencesOfADoubleTransformer(boolean quickGelu) {
        TransformerConfig config = config(quickGelu);
        Vocabulary vocabulary = new Vocabulary(List.of(Vocabulary.UNKNOWN, "a", "b", "c", "d")).withFraming();
        ClipModel model = ClipModel.initialize(config, vocabulary, 31);
        moveToAGeneralPoint(model);
        Batch batch = batch(config);

        Map<String, double[]> parameters = new LinkedHashMap<>();
        for (Tensor t : model.tensors()) {
            double[] values = new double[t.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = t.data()[i];
            }
            parameters.put(t.name(), values);
        }
        double[][] images = DoubleTransformer.images(config, parameters, batch);
        double[][] texts = DoubleTransformer.texts(config, parameters, batch);
        double[] logitScale = parameters.get(ClipModel.LOGIT_SCALE);
        double expectedLoss = DoubleTransformer.loss(logitScale[0], images, texts);
        Map<String, double[]> numeric = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> entry : parameters.entrySet()) {
            // a parameter of one tower leaves the other tower's embeddings as they are
            boolean visual = entry.getKey().startsWith("visual.");
            boolean textual = !visual && !entry.getKey().equals(ClipModel.LOGIT_SCALE);
            DoubleSupplier loss = () -> DoubleTransformer.loss(logitScale[0],
                    visual ? DoubleTransformer.images(config, parameters, batch) : images,
                    textual ? DoubleTransformer.texts(config, parameters, batch) : texts);
            numeric.put(entry.getKey(), FiniteDifferences.gradient(entry.getValue(), loss, STEP));
        }
        assertEquals(expectedLoss, DoubleTransformer.loss(config, parameters, batch), 0,
                "every parameter restored after its differences");

        List<String> failures = new ArrayList<>();
        for (Backend backend : List.of(new ScalarBackend(), new VectorBackend(2))) {
            try (backend) {
                TransformerGraph graph = new TransformerGraph(model, backend, PAIRS);
                double loss = graph.forward(batch);
                assertEquals(expectedLoss, loss, 1e-5, backend.name() + ": the engine's loss is the double model's");
                graph.backward();
                for (Tensor t : model.tensors()) {
                    double[] expected = numeric.get(t.name());
                    float[] analytic = graph.gradients().get(t.name()).data();
                    double largest = 0;
                    double worst = 0;
                    int worstIndex = 0;
                    for (int i = 0; i < expected.length; i++) {
                        largest = Math.max(largest, Math.abs(expected[i]));
                        double error = Math.abs(analytic[i] - expected[i]);
                        if (!(error <= worst)) {
                            worst = error;
                            worstIndex = i;
                        }
                    }
                    assertTrue(largest > FLOOR, t.name() + ": the loss should depend on it (largest gradient "
                            + largest + ")");
                    if (!(worst <= TOLERANCE * Math.max(largest, FLOOR))) {
                        failures.add(backend.name() + " " + t.name() + ": differs by " + worst + " at " + worstIndex
                                + " (analytic " + analytic[worstIndex] + ", numeric " + expected[worstIndex]
                                + "; largest " + largest + ")");
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), "analytic and numeric gradients differ:\n" + String.join("\n", failures));
    }

    /**
     * Noise on every parameter, so that no gradient is checked only where a term vanishes:
     * LayerNorm weights away from 1 and biases away from 0, attention biases not 0; and a logit
     * scale of e^1.2, low enough that no softmax of the loss saturates.
     */
    private static void moveToAGeneralPoint(ClipModel model) {
        Rng rng = new Rng(32);
        for (Tensor t : model.tensors()) {
            float[] data = t.data();
            for (int i = 0; i < data.length; i++) {
                data[i] += (float) (0.6 * rng.nextDouble() - 0.3);
            }
        }
        model.tensor(ClipModel.LOGIT_SCALE).data()[0] = 1.2f;
    }

    /**
     * Three pairs: images of random input values, and captions that fill the context of 5, framed
     * by {@code <start>} (5) and {@code <end>} (6, the largest id, where the text tower pools) and
     * padded after it with 0. One caption ends at the last position, the others earlier, so that
     * some positions, after their caption's end, get no gradient from it; one has its end twice,
     * and is pooled at the first, as argmax does.
     */
    static Batch batch(TransformerConfig config) {
        Rng rng = new Rng(33);
        Batch batch = new Batch(config, PAIRS);
        float[] values = new float[PAIRS * 3 * config.imageSize() * config.imageSize()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        batch.fillImageValues(config, values, PAIRS);
        int[][] captions = {{5, 1, 2, 3, 6}, {5, 4, 6, 6, 0}, {5, 2, 1, 6, 0}};
        for (int k = 0; k < PAIRS; k++) {
            System.arraycopy(captions[k], 0, batch.tokenIds, k * 5, 5);
            batch.tokenStart[k + 1] = (k + 1) * 5;
        }
        return batch;
    }
}
