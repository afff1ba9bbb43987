package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as one safetensors file (docs/formats.md): its tensors under the family's names, and in
 * the metadata {@code format}, {@code config} and, for the word tokenizer, {@code vocab}.
 *
 * <p>The metadata is read without letting it claim memory: the config is refused when longer than
 * any config, and the vocabulary is read word by word, never as a tree, and no further than the
 * config's {@code vocab_size}.
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
            if (model.vocabulary() != null) {
                metadata.put("vocab", JSON.writeValueAsString(model.vocabulary().words()));
            }
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
        // CLIP's tokenizer brings its own vocabulary; only the word tokenizer's is in the file
        boolean clipBpe = config instanceof TransformerConfig t && TransformerConfig.CLIP_BPE.equals(t.tokenizer());
        Vocabulary vocabulary = clipBpe ? null
                : parseVocabulary(required(metadata, "vocab", source), config.vocabSize(), source);
        Map<String, Tensor> modelTensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> entry : contents.tensors().entrySet()) {
            if (!entry.getKey().startsWith("optimizer.")) {
                modelTensors.put(entry.getKey(), entry.getValue());
            }
        }
        ClipModel model = new ClipModel(config, vocabulary, modelTensors, source);
        requireFinite(model, source);
        return model;
    }

    /** Training from a NaN weight would spread it everywhere: refuse it where it is found. */
    static void requireFinite(ClipModel model, String source) {
        for (Tensor t : model.tensors()) {
            float[] data = t.data();
            for (int i = 0; i < data.length; i++) {
                if (!Float.isFinite(data[i])) {
                    throw new BadInputException(source + ": the tensor " + t.name() + " holds " + data[i]
                            + " at index " + i);
                }
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

    /**
     * A config from JSON: a transformer's when {@code family} is {@code "transformer"}, else the
     * card family's keys; each must be present with the right type.
     */
    public static ModelConfig parseConfig(String json, String source) {
        if (json.length() > MAX_CONFIG_CHARS) {
            throw new BadInputException(source + ": config is " + json.length() + " characters long, more than the "
                    + MAX_CONFIG_CHARS + " any config takes");
        }
        JsonNode node = parseJson(json, source + ": config");
        if (!node.isObject()) {
            throw new BadInputException(source + ": config is not a JSON object");
        }
        if (node.has("family")) {
            return parseTransformerConfig(node, source, true);
        }
        return MlpConfig.builder().imageSize(intKey(node, "image_size", source))
                .patchSize(intKey(node, "patch_size", source)).channels(intKey(node, "channels", source))
                .vocabSize(intKey(node, "vocab_size", source)).wordDim(intKey(node, "word_dim", source))
                .textHidden(intKey(node, "text_hidden", source)).imageHidden(intKey(node, "image_hidden", source))
                .embedDim(intKey(node, "embed_dim", source)).maxTokens(intKey(node, "max_tokens", source))
                .normalize(boolKey(node, "normalize", source)).learnableScale(boolKey(node, "learnable_scale", source))
                .build();
    }

    private static final java.util.Set<String> TRANSFORMER_KEYS = java.util.Set.of("family", "embed_dim",
            "quick_gelu", "vision_cfg", "text_cfg", "tokenizer", "preprocess");
    private static final java.util.Set<String> VISION_KEYS = java.util.Set.of("image_size", "patch_size", "width",
            "layers", "head_width", "mlp_ratio");
    private static final java.util.Set<String> TEXT_KEYS = java.util.Set.of("context_length", "vocab_size", "width",
            "heads", "layers", "mlp_ratio");

    /**
     * A transformer's config: open_clip's {@code model_cfg} keys plus ours (docs/formats.md).
     * Unknown keys are refused. With {@code complete} (a model file) every key must be there;
     * otherwise (a config a user wrote) {@code text_cfg.vocab_size} may be left out (the data
     * decides it), {@code head_width} defaults to 64, {@code mlp_ratio} to 4, {@code quick_gelu}
     * to false and {@code tokenizer} to {@code words}, as open_clip's defaults, and
     * {@code preprocess} to OpenAI's mean and standard deviation.
     */
    public static TransformerConfig parseTransformerConfig(JsonNode node, String source, boolean complete) {
        knownKeys(node, TRANSFORMER_KEYS, source, "config");
        JsonNode family = node.get("family");
        if (family == null || !TransformerConfig.FAMILY.equals(family.asText())) {
            throw new BadInputException(source + ": config 'family' must be \"" + TransformerConfig.FAMILY + "\", got "
                    + family);
        }
        JsonNode vision = object(node, "vision_cfg", source);
        JsonNode text = object(node, "text_cfg", source);
        knownKeys(vision, VISION_KEYS, source, "vision_cfg");
        knownKeys(text, TEXT_KEYS, source, "text_cfg");
        String v = source + ": vision_cfg";
        String t = source + ": text_cfg";
        TransformerConfig.Vision visionCfg = new TransformerConfig.Vision(intKey(vision, "image_size", v),
                intKey(vision, "patch_size", v), intKey(vision, "width", v), intKey(vision, "layers", v),
                complete || vision.has("head_width") ? intKey(vision, "head_width", v) : 64,
                complete || vision.has("mlp_ratio") ? doubleKey(vision, "mlp_ratio", v) : 4.0);
        TransformerConfig.Text textCfg = new TransformerConfig.Text(intKey(text, "context_length", t),
                complete || text.has("vocab_size") ? intKey(text, "vocab_size", t) : 1, intKey(text, "width", t),
                intKey(text, "heads", t), intKey(text, "layers", t),
                complete || text.has("mlp_ratio") ? doubleKey(text, "mlp_ratio", t) : 4.0);
        boolean quickGelu = complete || node.has("quick_gelu") ? boolKey(node, "quick_gelu", source) : false;
        String tokenizer = TransformerConfig.WORDS;
        if (complete || node.has("tokenizer")) {
            JsonNode value = node.get("tokenizer");
            if (value == null || !value.isTextual()) {
                throw new BadInputException(source + ": config 'tokenizer' must be a string, got " + value);
            }
            tokenizer = value.textValue();
        }
        dev.clipengine.model.PixelNormalization preprocess = dev.clipengine.model.PixelNormalization.OPENAI;
        if (complete || node.has("preprocess")) {
            JsonNode p = object(node, "preprocess", source);
            knownKeys(p, java.util.Set.of("mean", "std"), source, "preprocess");
            try {
                preprocess = new dev.clipengine.model.PixelNormalization(floats(p, "mean", source),
                        floats(p, "std", source));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(source + ": config 'preprocess': " + e.getMessage());
            }
        }
        return new TransformerConfig(intKey(node, "embed_dim", source), quickGelu, visionCfg, textCfg, tokenizer,
                preprocess);
    }

    private static void knownKeys(JsonNode node, java.util.Set<String> known, String source, String where) {
        for (java.util.Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!known.contains(key)) {
                throw new BadInputException(source + ": unknown " + where + " key '" + key + "' (the keys are "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static JsonNode object(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null || !value.isObject()) {
            throw new BadInputException(source + ": config '" + key + "' must be a JSON object, got " + value);
        }
        return value;
    }

    private static double doubleKey(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null || !value.isNumber()) {
            throw new BadInputException(source + ": config '" + key + "' must be a number, got " + value);
        }
        return value.doubleValue();
    }

    private static float[] floats(JsonNode node, String key, String source) {
        JsonNode value = node.get(key);
        if (value == null || !value.isArray() || value.size() != 3) {
            throw new BadInputException(source + ": config '" + key + "' must be an array of 3 numbers, got " + value);
        }
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!value.get(i).isNumber()) {
                throw new BadInputException(source + ": config '" + key + "' must be an array of 3 numbers, got "
                        + value);
            }
            out[i] = value.get(i).floatValue();
        }
        return out;
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
