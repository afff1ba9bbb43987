package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
 *
 * <p>The metadata is read without letting it claim memory: the config, a dozen keys, is refused
 * when longer than any config, and the vocabulary is read word by word, never as a tree, and no
 * further than the config's {@code vocab_size}.
 */
public final class ModelFile {

    public static final String FORMAT = "clip-engine";
    /** A config is a few hundred characters; one this long is not a config. */
    static final int MAX_CONFIG_CHARS = 1 << 16;
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
        Vocabulary vocabulary = parseVocabulary(required(metadata, "vocab", source), config.vocabSize(), source);
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
        if (json.length() > MAX_CONFIG_CHARS) {
            throw new BadInputException(source + ": config is " + json.length() + " characters long, more than the "
                    + MAX_CONFIG_CHARS + " any config takes");
        }
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

    /**
     * The words of a JSON array of strings, streamed: a tree of the array would take tens of bytes
     * a word before its size could be checked, and anything but a string ends the reading at once.
     */
    private static Vocabulary parseVocabulary(String json, int vocabSize, String source) {
        List<String> words = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new BadInputException(source + ": vocab is not a JSON array of strings");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.VALUE_STRING) {
                    throw new BadInputException(source + ": vocab entry " + words.size() + " is not a string");
                }
                if (words.size() == vocabSize) {
                    throw new BadInputException(source + ": the vocabulary has more than the " + vocabSize
                            + " words the config says (vocab_size)");
                }
                words.add(parser.getText());
            }
            if (parser.nextToken() != null) {
                throw new BadInputException(source + ": vocab is not valid JSON: more after the array");
            }
        } catch (JsonProcessingException e) {
            throw new BadInputException(source + ": vocab is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        try {
            return new Vocabulary(words);
        } catch (BadInputException e) {
            // the message quotes a word, which may hold any character
            throw new BadInputException(source + ": " + SafeTensors.oneLine(e.getMessage()));
        }
    }

    private static JsonNode parseJson(String json, String where) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + " is not valid JSON: " + SafeTensors.oneLine(e.getOriginalMessage()));
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
        throw new BadInputException(source + ": config '" + key + "' must be an integer, got "
                + SafeTensors.oneLine(value.toString()));
    }

    static boolean boolKey(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new BadInputException(source + ": config has no '" + key + "'");
        }
        if (!value.isBoolean()) {
            throw new BadInputException(source + ": config '" + key + "' must be true or false, got "
                    + SafeTensors.oneLine(value.toString()));
        }
        return value.booleanValue();
    }
}
