package dev.clipengine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.text.ClipBpe;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/** Resolves {@code --model}: a built-in name or a JSON file with the config keys. */
final class ModelConfigs {

    static final String DEFAULT = "default";

    private ModelConfigs() {
    }

    /**
     * The config, with a placeholder vocab_size of 1: the vocabulary comes from the training data,
     * so a JSON file's vocab_size is ignored (with a note). Unknown keys are refused.
     */
    static ModelConfig resolve(String spec, PrintWriter err) {
        ModelConfig builtIn = ModelConfig.builtIn(spec, 1);
        return builtIn != null ? builtIn : fromFile(Path.of(spec), err);
    }

    private static ModelConfig fromFile(Path file, PrintWriter err) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--model " + file + ": not a built-in config (" + String.join(", ", ModelConfig.BUILT_IN)
                    + ") and no such file");
        }
        try {
            var node = new ObjectMapper().readTree(file.toFile());
            if (!(node instanceof ObjectNode object)) {
                throw new BadInputException(file + ": a model config must be a JSON object");
            }
            if (object.has("family")) {
                // a transformer's config: open_clip's model_cfg keys
                TransformerConfig config = ModelFile.parseTransformerConfig(object, file.toString(), false);
                if (TransformerConfig.CLIP_BPE.equals(config.tokenizer())) {
                    // CLIP's tokenizer brings its vocabulary: every id of it has a row
                    return object.path("text_cfg").has("vocab_size") ? config
                            : config.withVocabSize(ClipBpe.openAi().vocabularySize());
                }
                // the word tokenizer's vocabulary comes from the data
                if (object.path("text_cfg").has("vocab_size")) {
                    err.println("note: " + file + ": text_cfg.vocab_size is ignored; the vocabulary is every word of "
                            + "the training captions");
                }
                return config.withVocabSize(1);
            }
            Set<String> known = ModelConfig.standard(1).toMap().keySet();
            for (Iterator<String> keys = object.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!known.contains(key)) {
                    throw new BadInputException(file + ": unknown config key '" + key + "' (the keys are "
                            + String.join(", ", known) + ")");
                }
            }
            if (object.has("vocab_size")) {
                err.println("note: " + file + ": vocab_size is ignored; the vocabulary is every word of the training "
                        + "captions");
            }
            object.put("vocab_size", 1);
            return ModelFile.parseConfig(object.toString(), file.toString());
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
