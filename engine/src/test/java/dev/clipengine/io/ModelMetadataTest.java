package dev.clipengine.io;

import dev.clipengine.AllocatedBytes;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config and vocabulary JSON in a model file's metadata, read without letting them claim memory. */
class ModelMetadataTest {

    private static final ClipModel MODEL = ClipModel.initialize(new MlpConfig(8, 4, 3, 4, 5, 6, 7, 3, 4, true, true),
            new Vocabulary(List.of("<unk>", "red", "blue", "circle")), 1);

    /** The model's own tensors with {@code key} of its metadata replaced by {@code json}. */
    private static SafeTensors.Contents with(String key, String json) {
        Map<String, String> metadata = new LinkedHashMap<>(ModelFile.metadata(MODEL));
        metadata.put(key, json);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor t : MODEL.tensors()) {
            tensors.put(t.name(), t);
        }
        return new SafeTensors.Contents(metadata, tensors);
    }

    private static String refusal(String key, String json) {
        String message = assertThrows(BadInputException.class,
                () -> ModelFile.fromContents(with(key, json), "m.safetensors")).getMessage();
        assertFalse(message.contains("\n"), message);
        return message;
    }

    @Test
    void theModelsOwnMetadataReads() {
        ClipModel read = ModelFile.fromContents(with("format", ModelFile.FORMAT), "m.safetensors");
        assertEquals(MODEL.config(), read.config());
        assertEquals(MODEL.vocabulary().words(), read.vocabulary().words());
    }

    @Test
    void aVocabularyLongerThanTheConfigSaysIsRefusedAtTheFirstExtraWord() {
        // a million words where the config says 4: read word by word, the fifth ends it
        StringBuilder json = new StringBuilder("[\"<unk>\"");
        for (int i = 0; i < 1_000_000; i++) {
            json.append(",\"w").append(i).append('"');
        }
        SafeTensors.Contents contents = with("vocab", json.append(']').toString());
        ModelFile.fromContents(with("format", ModelFile.FORMAT), "m"); // classes loaded, not measured
        AllocatedBytes.Measured read = AllocatedBytes.of(() -> ModelFile.fromContents(contents, "m"));
        assertEquals("m: the vocabulary has more than the 4 words the config says (vocab_size)",
                read.thrown().getMessage());
        assertTrue(read.bytes() < 1_000_000, read.bytes() + " bytes allocated for a vocabulary of "
                + contents.metadata().get("vocab").length() + " characters");
    }

    @Test
    void aVocabularyEntryThatIsNotAStringEndsTheReading() {
        assertEquals("m.safetensors: vocab entry 1 is not a string",
                refusal("vocab", "[\"<unk>\", " + "[".repeat(500) + "]".repeat(500) + "]"));
        assertEquals("m.safetensors: vocab is not a JSON array of strings", refusal("vocab", "{\"<unk>\": 1}"));
        assertTrue(refusal("vocab", "[\"<unk>\", \"red\"").startsWith("m.safetensors: vocab is not valid JSON: "));
        assertEquals("m.safetensors: vocab is not valid JSON: more after the array",
                refusal("vocab", "[\"<unk>\", \"red\", \"blue\", \"circle\"] []"));
    }

    @Test
    void aRepeatedWordIsNamedOnOneLine() {
        assertEquals("m.safetensors: vocabulary: the word 'a b' appears twice",
                refusal("vocab", "[\"<unk>\", \"a\\nb\", \"blue\", \"a\\nb\"]"));
    }

    @Test
    void aConfigLongerThanAnyConfigIsRefusedBeforeItIsParsed() {
        String config = "{\"image_size\": 8" + ", \"x\": 0".repeat(20_000) + "}";
        assertEquals("m.safetensors: config is " + config.length() + " characters long, more than the 65536 any "
                + "config takes", refusal("config", config));
    }
}
