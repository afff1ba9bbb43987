package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;

import java.util.List;

/** Examples whose captions are tokenized once, checked against the model's image shape. */
public final class EncodedPairs {

    private final ModelConfig config;
    private final List<Example> examples;
    private final int[][] tokens;

    /** @param source names the examples in errors, e.g. {@code shapes (train)} */
    public EncodedPairs(ModelConfig config, Vocabulary vocabulary, List<Example> examples, String source) {
        this.config = config;
        this.examples = List.copyOf(examples);
        this.tokens = new int[examples.size()][];
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            if (e.channels() != config.channels() || e.size() != config.imageSize()) {
                throw new BadInputException(source + ", pair " + (i + 1) + ": image is " + e.channels() + "x"
                        + e.size() + "x" + e.size() + " but the model takes " + config.channels() + "x"
                        + config.imageSize() + "x" + config.imageSize());
            }
            tokens[i] = vocabulary.encode(e.caption(), config.maxTokens(), source + ", pair " + (i + 1));
        }
    }

    public ModelConfig config() {
        return config;
    }

    public int size() {
        return examples.size();
    }

    public Example example(int index) {
        return examples.get(index);
    }

    public int[] tokens(int index) {
        return tokens[index];
    }
}
