package dev.clipengine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.KernelTesting;
import dev.clipengine.kernels.ScalarBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer against a small CLIP made by OpenAI's own code ({@code fixtures/openai-clip-small}):
 * its weights, CLIP's token ids and preprocessed pixels in, and the features, embeddings, loss and
 * every parameter's gradient that OpenAI's model computed out, on every backend.
 */
class OpenAiFixtureTest {

    static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small");
    private static final int CONTEXT = 77;

    private static Map<String, Tensor> weights;
    private static Map<String, Tensor> expected;
    private static int[][] captionIds;

    @BeforeAll
    static void readFixture() throws IOException {
        weights = SafeTensors.read(FIXTURE.resolve("openai.safetensors")).tensors();
        expected = SafeTensors.read(FIXTURE.resolve("expected.safetensors")).tensors();
        JsonNode inputs = new ObjectMapper().readTree(Files.readString(FIXTURE.resolve("inputs.json")));
        JsonNode tokens = inputs.get("tokens");
        captionIds = new int[tokens.size()][CONTEXT];
        for (int i = 0; i < tokens.size(); i++) {
            for (int t = 0; t < tokens.get(i).size(); t++) {
                captionIds[i][t] = tokens.get(i).get(t).intValue();
            }
        }
    }

    /** The fixture's model as OpenAI's {@code build_model} infers it: heads of width 64, QuickGELU. */
    static TransformerConfig config() {
        return new TransformerConfig(32, true, new TransformerConfig.Vision(32, 8, 128, 2, 64, 4.0),
                new TransformerConfig.Text(CONTEXT, 49408, 128, 2, 2, 4.0), TransformerConfig.CLIP_BPE,
                PixelNormalization.OPENAI);
    }

    static Stream<Named<Backend>> backends() {
        return Stream.concat(Stream.of(Named.of("scalar", new ScalarBackend())), KernelTesting.backendsUnderTest());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void featuresMatchOpenAi(Backend backend) {
        try (backend) {
            ClipModel model = new ClipModel(config(), null, weights, "openai.safetensors");
            TransformerGraph graph = new TransformerGraph(model, backend, captionIds.length);
            Batch batch = new Batch(model.config(), captionIds.length);
            batch.fillImageValues(model.config(), expected.get("pixels").data(), 5);
            float[] embeddings = graph.encodeImages(batch).clone();
            assertRelative("image_features", expected.get("image_features").data(), graph.imageFeatures(), 5 * 32,
                    1e-5);
            assertRelative("image_embeddings", expected.get("image_embeddings").data(), embeddings, 5 * 32, 1e-5);

            batch.fillCaptions(captionIds, 0, captionIds.length);
            embeddings = graph.encodeTexts(batch).clone();
            assertRelative("text_features", expected.get("text_features").data(), graph.textFeatures(), 12 * 32, 1e-5);
            assertRelative("text_embeddings", expected.get("text_embeddings").data(), embeddings, 12 * 32, 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void lossAndGradientsMatchOpenAi(Backend backend) {
        try (backend) {
            ClipModel model = new ClipModel(config(), null, weights, "openai.safetensors");
            TransformerGraph graph = new TransformerGraph(model, backend, 5);
            Batch batch = new Batch(model.config(), 5);
            batch.fillCaptions(captionIds, 0, 5);
            // the images of the training pairs, with the captions still in place
            int[] ids = batch.tokenIds.clone();
            int[] starts = batch.tokenStart.clone();
            batch.fillImageValues(model.config(), expected.get("train_pixels").data(), 5);
            System.arraycopy(ids, 0, batch.tokenIds, 0, ids.length);
            System.arraycopy(starts, 0, batch.tokenStart, 0, starts.length);

            double loss = graph.forward(batch);
            assertEquals(expected.get("loss").data()[0], loss, 1e-5 * Math.abs(loss), "loss");
            assertRelative("logits_per_image", expected.get("logits_per_image").data(), graph.logits(), 25, 1e-5);
            graph.backward();
            for (Tensor gradient : graph.gradients().tensors()) {
                Tensor reference = expected.get("grad." + gradient.name());
                assertTrue(reference != null, "the fixture has a gradient of " + gradient.name());
                assertRelative("grad." + gradient.name(), reference.data(), gradient.data(), reference.size(), 1e-4);
            }
        }
    }

    /** {@code max |a - e| / max |e| <= tolerance} over the first n values. */
    static void assertRelative(String what, float[] expected, float[] actual, int n, double tolerance) {
        double largest = 0;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        double relative = worst / Math.max(largest, Double.MIN_NORMAL);
        assertTrue(relative <= tolerance, what + ": max |difference| / max |expected| = " + relative + " > " + tolerance);
    }
}
