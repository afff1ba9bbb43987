package dev.clipengine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves {@code --model}: a built-in name or a JSON file with the config keys. */
final class ModelConfigs {

    static final String DEFAULT = "default";
    static final String SEED = "seed";

    private ModelConfigs() {
    }

    /**
     * The config, with a placeholder vocab_size of 1: the vocabulary comes from the training data.
     * A JSON file may leave out vocab_size for that reason.
     */
    static ModelConfig resolve(String spec) {
        return switch (spec) {
            case DEFAULT -> ModelConfig.standard(1);
            case SEED -> ModelConfig.seed(1);
            default -> fromFile(Path.of(spec));
        };
    }

    private static ModelConfig fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--model " + file + ": not a built-in config (default, seed) and no such file");
        }
        try {
            var node = new ObjectMapper().readTree(file.toFile());
            if (!(node instanceof ObjectNode object)) {
                throw new BadInputException(file + ": a model config must be a JSON object");
            }
            if (!object.has("vocab_size")) {
                object.put("vocab_size", 1);
            }
            return ModelFile.parseConfig(object.toString(), file.toString());
        } catch (IOException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
