package dev.clipengine.model;

import dev.clipengine.Rng;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.Example;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.kernels.VectorBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every analytic gradient of the model, logit_scale included, against central finite differences
 * of an independent double-precision implementation of the loss.
 */
class GradientCheckTest {

    private static final double STEP = 1e-6;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean normalize : new boolean[] {false, true}) {
            for (boolean learnable : new boolean[] {false, true}) {
                cases.add(Arguments.of("scalar", normalize, learnable));
                cases.add(Arguments.of("vector", normalize, learnable));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} normalize={1} learnable_scale={2}")
    @MethodSource("cases")
    void analyticGradientsMatchFiniteDifferences(String backendName, boolean normalize, boolean learnable) {
        // awkward sizes: 3 channels of 2x2 patches (12 values), hidden 7 and 5, embed 3, captions of 1-4 words
        MlpConfig config = new MlpConfig(4, 2, 3, 9, 5, 7, 5, 3, 4, normalize, learnable);
        Vocabulary vocabulary = new Vocabulary(List.of("<unk>", "a", "b", "c", "d", "e", "f", "g", "h"));
        ClipModel model = ClipModel.initialize(config, vocabulary, 42);
        // a scale away from 0 and 1 so its gradient is exercised at a general point
        model.tensor(ClipModel.LOGIT_SCALE).data()[0] = 0.7f;
        Batch batch = batch(config, vocabulary, 5);

        try (Backend backend = backendNamed(backendName)) {
            ClipGraph graph = ClipGraph.create(model, backend, 5);
            double loss = graph.forward(batch);
            graph.backward();

            Map<String, double[]> parameters = new HashMap<>();
            for (Tensor t : model.tensors()) {
                double[] values = new double[t.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = t.data()[i];
                }
                parameters.put(t.name(), values);
            }
            assertEquals(DoubleReference.loss(config, parameters, batch), loss, 1e-5,
                    "the engine's loss is the reference loss");

            for (Tensor t : model.tensors()) {
                double[] values = parameters.get(t.name());
                float[] analytic = graph.gradients().get(t.name()).data();
                double maxNumeric = 0;
                double maxError = 0;
                for (int i = 0; i < values.length; i++) {
                    double saved = values[i];
                    values[i] = saved + STEP;
                    double plus = DoubleReference.loss(config, parameters, batch);
                    values[i] = saved - STEP;
                    double minus = DoubleReference.loss(config, parameters, batch);
                    values[i] = saved;
                    double numeric = (plus - minus) / (2 * STEP);
                    maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
                    maxError = Math.max(maxError, Math.abs(numeric - analytic[i]));
                }
                assertTrue(maxNumeric > 0 || t.name().equals(ClipModel.TOKEN_EMBEDDING),
                        t.name() + ": the loss should depend on it");
                assertTrue(maxError <= 1e-4 * Math.max(maxNumeric, 1e-2),
                        t.name() + ": analytic and numeric gradients differ by " + maxError + " (largest "
                                + maxNumeric + ")");
            }
        }
    }

    /** n pairs of random images and captions of 1 to 4 words, the unknown word among them. */
    static Batch batch(ModelConfig config, Vocabulary vocabulary, int n) {
        Rng rng = new Rng(7);
        List<Example> examples = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte[] pixels = new byte[config.channels() * config.imageSize() * config.imageSize()];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) rng.nextInt(256);
            }
            StringBuilder caption = new StringBuilder();
            int words = 1 + k % 4;
            for (int w = 0; w < words; w++) {
                caption.append(w == 2 ? "zebra" : vocabulary.word(1 + rng.nextInt(vocabulary.size() - 1))).append(' ');
            }
            examples.add(new Example(pixels, config.channels(), config.imageSize(), caption.toString(), -1));
        }
        EncodedPairs pairs = new EncodedPairs(config, vocabulary, examples, "test");
        Batch batch = new Batch(config, n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        pairs.fill(batch, order, 0, n);
        return batch;
    }

    static Backend backendNamed(String name) {
        return name.equals("scalar") ? new ScalarBackend() : new VectorBackend(2);
    }
}
