package dev.clipengine.bench;

import dev.clipengine.model.ModelConfig;
import java.util.List;

/** The model configs speed is measured on, by the names {@code clip-engine train --model} knows them by. */
public final class BenchmarkModels {

    /**
     * Words of the synthetic vocabulary, {@code <unk>} included. It only sizes the token embedding
     * (gathered, scattered into and updated every step); 1000 stands for a small real caption set,
     * above the built-in data's 25 words and far below a word-vector file's.
     */
    public static final int VOCABULARY_SIZE = 1000;

    /** Pairs per training step in every benchmark of a step or of its operators. */
    public static final int BATCH_SIZE = 256;

    /** The walkthrough card's tiny model, the command line's default, and the fixed benchmark model. */
    public static final List<String> NAMES = ModelConfig.BUILT_IN;

    private BenchmarkModels() {
    }

    public static ModelConfig config(String name) {
        ModelConfig config = ModelConfig.builtIn(name, VOCABULARY_SIZE);
        if (config == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; the models are "
                    + String.join(", ", NAMES));
        }
        return config;
    }
}
