package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CLIP made by OpenAI's own code ({@code fixtures/openai-clip-small}) through the command line,
 * from its files as other programs write them: CLIP's tokens, Pillow's pixels, OpenAI's
 * embeddings in both layouts on every backend, and one fine-tuning step's gradients.
 */
class PretrainedCheckpointTest {

    private static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode inputs;
    private static Map<String, Tensor> expected;

    @BeforeAll
    static void readFixture() throws IOException {
        inputs = JSON.readTree(FIXTURE.resolve("inputs.json").toFile());
        expected = SafeTensors.read(FIXTURE.resolve("expected.safetensors")).tensors();
    }

    private static List<String> captions() {
        List<String> captions = new ArrayList<>();
        inputs.get("captions").forEach(c -> captions.add(c.textValue()));
        return captions;
    }

    @Test
    void tokenizePrintsOpenAisIdsForEveryCaption() throws IOException {
        List<String> args = new ArrayList<>(List.of("tokenize", "--checkpoint",
                FIXTURE.resolve("openai.safetensors").toString()));
        args.addAll(captions());
        TrainCommandTest.Result result = TrainCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, result.status(), result.err());
        List<String> lines = result.out().lines().toList();
        assertEquals(inputs.get("tokens").size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(inputs.get("tokens").get(i), JSON.readTree(lines.get(i)), "caption " + i);
        }
    }

    static Stream<Arguments> layoutsAndBackends() {
        return Stream.of("openai.safetensors", "hf").flatMap(layout -> Stream.of("scalar", "vector", "blas", "javacpp")
                .map(backend -> Arguments.of(layout, backend)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("layoutsAndBackends")
    void embedGivesOpenAisEmbeddingsFromEitherLayout(String layout, String backend, @TempDir Path dir)
            throws IOException {
        Path out = dir.resolve("e.safetensors");
        List<String> args = new ArrayList<>(List.of("embed", "--checkpoint", FIXTURE.resolve(layout).toString(),
                "--images", FIXTURE.resolve("images").toString(), "--backend", backend, "--threads", "2",
                "--out", out.toString()));
        for (String caption : captions()) {
            args.add("--captions");
            args.add(caption);
        }
        TrainCommandTest.Result result = TrainCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, result.status(), result.err());
        Map<String, Tensor> written = SafeTensors.read(out).tensors();
        assertRowsAlign("image_embeddings", expected.get("image_embeddings"), written.get("image_embeddings"));
        assertRowsAlign("text_embeddings", expected.get("text_embeddings"), written.get("text_embeddings"));
    }

    /** Every row's cosine with the expected row is at least 0.9999. */
    private static void assertRowsAlign(String what, Tensor expected, Tensor actual) {
        assertEquals(List.of(expected.dim(0), expected.dim(1)), List.of(actual.dim(0), actual.dim(1)), what);
        int dim = expected.dim(1);
        for (int r = 0; r < expected.dim(0); r++) {
            double dot = 0;
            double ee = 0;
            double aa = 0;
            for (int d = 0; d < dim; d++) {
                double e = expected.data()[r * dim + d];
                double a = actual.data()[r * dim + d];
                dot += e * a;
                ee += e * e;
                aa += a * a;
            }
            double cosine = dot / Math.sqrt(ee * aa);
            assertTrue(cosine >= 0.9999, what + " row " + r + ": cosine " + cosine);
        }
    }

    @Test
    void oneFineTuningStepMovesEveryWeightByOpenAisGradient(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("tuned.safetensors");
        TrainCommandTest.Result result = TrainCommandTest.run("train", "--init",
                FIXTURE.resolve("openai.safetensors").toString(), "--data", FIXTURE.resolve("pairs.tsv").toString(),
                "--batch-size", "5", "--steps", "1", "--no-shuffle", "--optimizer", "sgd", "--lr", "0.1",
                "--weight-decay", "0", "--quiet", "--no-pictures", "--out", out.toString());
        assertEquals(0, result.status(), result.err());
        Map<String, Tensor> before = SafeTensors.read(FIXTURE.resolve("openai.safetensors")).tensors();
        Map<String, Tensor> after = SafeTensors.read(out).tensors();
        int checked = 0;
        for (Tensor w : before.values()) {
            Tensor gradient = expected.get("grad." + w.name());
            assertTrue(gradient != null, "the fixture has the gradient of " + w.name());
            float[] b = w.data();
            float[] a = after.get(w.name()).data();
            double largest = 0;
            double worst = 0;
            for (int i = 0; i < b.length; i++) {
                double step = ((double) b[i] - a[i]) / 0.1;
                largest = Math.max(largest, Math.abs(gradient.data()[i]));
                worst = Math.max(worst, Math.abs(step - gradient.data()[i]));
            }
            assertTrue(worst <= 1e-4 * largest, w.name() + ": max |step - grad| / max |grad| = " + worst / largest);
            checked++;
        }
        assertEquals(before.size(), checked);
        assertFalse(after.isEmpty());
    }
}
