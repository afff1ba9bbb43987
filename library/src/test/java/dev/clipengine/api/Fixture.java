package dev.clipengine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The small CLIP made by OpenAI's own code (fixtures/openai-clip-small): its weights, its images
 * and captions, and the embeddings OpenAI's model computed from them.
 */
final class Fixture {

    static final Path DIR = Path.of("..", "fixtures", "openai-clip-small").toAbsolutePath().normalize();
    static final Path MODEL = DIR.resolve("openai.safetensors");
    static final Path HF_FOLDER = DIR.resolve("hf");

    private Fixture() {
    }

    static List<Path> images() {
        return inputs("images").stream().map(DIR::resolve).toList();
    }

    static List<String> captions() {
        return inputs("captions");
    }

    /** Rows of an {@code [n, dim]} tensor of expected.safetensors. */
    static float[][] expected(String tensor) {
        var t = SafeTensors.read(DIR.resolve("expected.safetensors")).tensors().get(tensor);
        int dim = t.dim(1);
        float[][] rows = new float[t.dim(0)][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(t.data(), i * dim, (i + 1) * dim);
        }
        return rows;
    }

    private static List<String> inputs(String key) {
        try {
            JsonNode node = new ObjectMapper().readTree(DIR.resolve("inputs.json").toFile()).get(key);
            List<String> values = new ArrayList<>();
            node.forEach(v -> values.add(v.asText()));
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
