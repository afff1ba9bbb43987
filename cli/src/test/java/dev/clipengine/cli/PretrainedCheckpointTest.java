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

    /** A bad checkpoint or input, made from the fixture, and a word its one-line error must contain. */
    record BadInput(String name, String mentions, ThrowingMaker maker) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface ThrowingMaker {
        /** Writes the bad input into dir; returns the --checkpoint path (or, for an image, the --images path). */
        Path make(Path dir) throws IOException;
    }

    static Stream<BadInput> badInputs() {
        return Stream.of(
                new BadInput("a missing tensor", "visual.ln_post.bias", dir -> stateDict(dir, "visual.ln_post.bias",
                        null)),
                new BadInput("a wrong shape", "ln_final.bias", dir -> stateDict(dir, "ln_final.bias",
                        new Tensor("ln_final.bias", new int[] {127}, new float[127]))),
                new BadInput("an unknown layout", "unknown layout", dir -> {
                    Path file = dir.resolve("weights.safetensors");
                    SafeTensors.write(file, Map.of(), List.of(Tensor.zeros("encoder.weight", 3, 3)));
                    return file;
                }),
                new BadInput("a truncated file", "truncated.safetensors", dir -> {
                    byte[] bytes = Files.readAllBytes(FIXTURE.resolve("openai.safetensors"));
                    return Files.write(dir.resolve("truncated.safetensors"), java.util.Arrays.copyOf(bytes, 1 << 20));
                }),
                new BadInput("a pickle", "pickled", dir -> Files.write(dir.resolve("pytorch_model.bin"),
                        new byte[] {(byte) 0x80, 2, '}', 'q'})),
                new BadInput("a config.json with a wrong type", "vision_config.num_hidden_layers", dir -> hfFolder(dir,
                        "config.json", Files.readString(FIXTURE.resolve("hf/config.json"))
                                .replace("\"num_hidden_layers\": 2,\n    \"image_size\"",
                                        "\"num_hidden_layers\": \"two\",\n    \"image_size\""))),
                new BadInput("an empty merges file", "merges.txt", dir -> hfFolder(dir, "merges.txt", "")),
                new BadInput("a corrupt merges file", "merges.txt", dir -> hfFolder(dir, "merges.txt",
                        "#version: 0.2\ni n\nthis line has three\n")));
    }

    private static Path stateDict(Path dir, String name, Tensor replacement) throws IOException {
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>(
                SafeTensors.read(FIXTURE.resolve("openai.safetensors")).tensors());
        tensors.remove(name);
        if (replacement != null) {
            tensors.put(name, replacement);
        }
        Path file = dir.resolve("state-dict.safetensors");
        SafeTensors.write(file, Map.of(), new ArrayList<>(tensors.values()));
        return file;
    }

    /** The fixture's Hugging Face folder with one file's text replaced (the weights linked, not copied). */
    private static Path hfFolder(Path dir, String replaced, String text) throws IOException {
        Path folder = Files.createDirectory(dir.resolve("hf"));
        try (Stream<Path> files = Files.list(FIXTURE.resolve("hf"))) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(folder.resolve(f.getFileName()), f);
            }
        }
        Files.delete(folder.resolve(replaced));
        Files.writeString(folder.resolve(replaced), text);
        return folder;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void aBadCheckpointIsOneLineAndStatusTwoAndNothingIsWritten(BadInput bad, @TempDir Path dir) throws IOException {
        Path checkpoint = bad.maker().make(dir);
        Path out = dir.resolve("e.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("embed", "--checkpoint", checkpoint.toString(), "--captions",
                "a photo of a cat", "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(bad.mentions()), "should mention " + bad.mentions() + ": " + r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void anImageThatCannotBeDecodedIsOneLineAndStatusTwo(@TempDir Path dir) throws IOException {
        Path image = Files.write(dir.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0});
        Path out = dir.resolve("e.safetensors");
        TrainCommandTest.Result r = TrainCommandTest.run("embed", "--checkpoint",
                FIXTURE.resolve("openai.safetensors").toString(), "--images", image.toString(), "--out", out.toString());
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("broken.png"), r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }
}
