package dev.clipengine.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model exported to Hugging Face's layout has the fixture's names, shapes and keys, and reads back the same. */
class HuggingFaceExportTest {

    private static final Path HF = Path.of("..", "fixtures", "openai-clip-small", "hf");

    @TempDir
    Path dir;

    @Test
    void theExportHasTheFixturesNamesShapesAndConfigKeysAndReadsBackTheSameModel() throws IOException {
        ClipModel model = Checkpoints.load(HF.resolveSibling("openai.safetensors"));
        Path out = dir.resolve("exported");
        HuggingFaceExport.write(model, out);

        Map<String, Tensor> expected = SafeTensors.read(HF.resolve("model.safetensors")).tensors();
        Map<String, Tensor> written = SafeTensors.read(out.resolve("model.safetensors")).tensors();
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(written.keySet()));
        for (Tensor t : expected.values()) {
            assertArrayEquals(t.shape(), written.get(t.name()).shape(), t.name());
            assertArrayEquals(t.data(), written.get(t.name()).data(), t.name());
        }
        for (String file : new String[] {"config.json", "preprocessor_config.json", "tokenizer_config.json"}) {
            assertEquals(keys(JsonFiles.readObject(HF.resolve(file)), ""),
                    keys(JsonFiles.readObject(out.resolve(file)), ""), file);
        }
        // the tokenizer's files, as Hugging Face writes them, from the bundled vocabulary
        assertEquals(Files.readString(HF.resolve("vocab.json")), Files.readString(out.resolve("vocab.json")));
        assertEquals(Files.readString(HF.resolve("merges.txt")), Files.readString(out.resolve("merges.txt")));

        ClipModel back = Checkpoints.load(out);
        assertEquals(model.config().toMap(), back.config().toMap());
        for (Tensor t : model.tensors()) {
            assertArrayEquals(t.data(), back.tensor(t.name()).data(), t.name());
        }
    }

    @Test
    void anExistingFolderIsNeverReplaced() throws IOException {
        ClipModel model = Checkpoints.load(HF.resolveSibling("openai.safetensors"));
        Path out = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        String message = assertThrows(BadInputException.class,
                () -> HuggingFaceExport.write(model, out)).getMessage();
        assertTrue(message.contains("already exists"), message);
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary folder is left behind");
        }
    }

    /** Every key path of a JSON object with its value's kind (number, string, ...), e.g. {@code text_config.hidden_size}. */
    private static Map<String, String> keys(JsonNode node, String prefix) {
        Map<String, String> keys = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            if (e.getValue().isObject()) {
                keys.putAll(keys(e.getValue(), name + "."));
            } else {
                keys.put(name, e.getValue().getNodeType().toString());
            }
        }
        assertFalse(keys.isEmpty());
        return keys;
    }
}
