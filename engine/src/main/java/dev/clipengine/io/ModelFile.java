package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as one safetensors file (contract section 3): the ten tensors, and in the metadata
 * {@code format}, {@code config} and {@code vocab}.
 */
public final class ModelFile {

    public static final String FORMAT = "clip-engine";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {
    }

    /** The metadata keys a model file carries. */
    public static Map<String, String> metadata(ClipModel model) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        try {
            metadata.put("config", JSON.writeValueAsString(model.config().toMap()));
            metadata.put("vocab", JSON.writeValueAsString(model.vocabulary().words()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write plain maps and lists as JSON", e);
        }
        return metadata;
    }

    /** Writes the model atomically: an existing file is replaced whole or not at all. */
    public static void save(ClipModel model, Path file) throws IOException {
        SafeTensors.write(file, metadata(model), model.tensors());
    }

    /** Reads a model file; every problem is a {@link BadInputException} naming the file. */
    public static ClipModel load(Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        return fromContents(contents, file.toString());
    }

    /** The model in already-read contents; tensors other than the model's (e.g. optimizer state) are skipped. */
    public static ClipModel fromContents(SafeTensors.Contents contents, String source) {
        Map<String, String> metadata = contents.metadata();
        ModelConfig config = parseConfig(required(metadata, "config", source), source);
        Vocabulary vocabulary = parseVocabulary(required(metadata, "vocab", source), source);
        Map<String, Tensor> modelTensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> entry : contents.tensors().entrySet()) {
            if (!entry.getKey().startsWith("optimizer.")) {
                modelTensors.put(entry.getKey(), entry.getValue());
            }
        }
        ClipModel model = new ClipModel(config, vocabulary, modelTensors, source);
        for (Tensor t : model.tensors()) {
            requireFinite(t, source);
        }
        return model;
    }

    /** Training from a NaN weight would spread it everywhere: refuse it where it is found. */
    private static void requireFinite(Tensor t, String source) {
        float[] data = t.data();
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                throw new BadInputException(source + ": the tensor " + t.name() + " holds " + data[i] + " at index " + i);
            }
        }
    }

    private static String required(Map<String, String> metadata, String key, String source) {
        String value = metadata.get(key);
        if (value == null) {
            throw new BadInputException(source + ": the metadata has no '" + key + "' entry (not a clip-engine model?)");
        }
        return value;
    }

    /** A config from JSON with the contract's keys; each must be present with the right type. */
    public static ModelConfig parseConfig(String json, String source) {
        JsonNode node = parseJson(json, source + ": config");
        if (!node.isObject()) {
            throw new BadInputException(source + ": config is not a JSON object");
        }
        return new ModelConfig(
                intKey(node, "image_size", source), intKey(node, "patch_size", source), intKey(node, "channels", source),
                intKey(node, "vocab_size", source), intKey(node, "word_dim", source), intKey(node, "text_hidden", source),
                intKey(node, "image_hidden", source), intKey(node, "embed_dim", source), intKey(node, "max_tokens", source),
                boolKey(node, "normalize", source), boolKey(node, "learnable_scale", source));
    }

    private static Vocabulary parseVocabulary(String json, String source) {
        JsonNode node = parseJson(json, source + ": vocab");
        if (!node.isArray()) {
            throw new BadInputException(source + ": vocab is not a JSON array of strings");
        }
        List<String> words = new ArrayList<>(node.size());
        for (JsonNode word : node) {
            if (!word.isTextual()) {
                throw new BadInputException(source + ": vocab entry " + words.size() + " is not a string");
            }
            words.add(word.asText());
        }
        try {
            return new Vocabulary(words);
        } catch (BadInputException e) {
            throw new BadInputException(source + ": " + e.getMessage());
        }
    }

    private static JsonNode parseJson(String json, String where) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static int intKey(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new BadInputException(source + ": config has no '" + key + "'");
        }
        // integers may come as JSON numbers or, from some writers, as strings
        if (value.isIntegralNumber() && value.canConvertToInt()) {
            return value.intValue();
        }
        if (value.isTextual() && value.asText().matches("-?\\d{1,10}")) {
            long parsed = Long.parseLong(value.asText());
            if (parsed == (int) parsed) {
                return (int) parsed;
            }
        }
        throw new BadInputException(source + ": config '" + key + "' must be an integer, got " + value);
    }

    static boolean boolKey(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new BadInputException(source + ": config has no '" + key + "'");
        }
        if (!value.isBoolean()) {
            throw new BadInputException(source + ": config '" + key + "' must be true or false, got " + value);
        }
        return value.booleanValue();
    }
}
