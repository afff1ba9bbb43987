package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.model.Batch;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.model.Vocabulary;

import java.util.List;

/** Examples whose captions are tokenized once, checked against the model's image shape. */
public final class EncodedPairs {

    private final ModelConfig config;
    private final List<Example> examples;
    private final int[][] tokens;
    /** With captions drawn per epoch: the draws, and every (class, template) caption's tokens. */
    private final EpochCaptions draws;
    private final int[][][] templateTokens;

    /** @param source names the examples in errors, e.g. {@code shapes (train)} */
    public EncodedPairs(ModelConfig config, Vocabulary vocabulary, List<Example> examples, String source) {
        this(config, vocabulary, examples, source, null);
    }

    /**
     * @param draws where each pair's caption is drawn anew every epoch (pair i of examples is pair
     *              i of the draws), or null for fixed captions
     */
    public EncodedPairs(ModelConfig config, Vocabulary vocabulary, List<Example> examples, String source,
                        EpochCaptions draws) {
        this(config, Tokenizer.of(config, vocabulary), examples, source, draws);
    }

    /** Pairs whose captions the given tokenizer encodes (e.g. a model's own, {@link Tokenizer#of(ClipModel)}). */
    public EncodedPairs(ModelConfig config, Tokenizer tokenizer, List<Example> examples, String source,
                        EpochCaptions draws) {
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
            tokens[i] = tokenizer.encode(e.caption(), source + ", pair " + (i + 1));
        }
        if (draws != null && draws.size() != examples.size()) {
            throw new IllegalArgumentException(draws.size() + " caption draws for " + examples.size() + " pairs");
        }
        this.draws = draws;
        this.templateTokens = draws == null ? null : draws.captions().encode(tokenizer);
    }

    /** Draws the captions of a new epoch (0-based); nothing to do where captions are fixed. */
    public void startEpoch(long epoch) {
        if (draws != null) {
            draws.draw(epoch);
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

    /** The caption's token ids; with per-epoch captions, the current epoch's draw. */
    public int[] tokens(int index) {
        return draws == null ? tokens[index] : templateTokens[draws.label(index)][draws.template(index)];
    }

    /**
     * Fills {@code batch} with {@code count} pairs: pair k is pair {@code order[from + k]} of these,
     * its caption already encoded.
     */
    public void fill(Batch batch, int[] order, int from, int count) {
        for (int k = 0; k < count; k++) {
            int index = order[from + k];
            Example example = example(index);
            batch.putPair(k, example.pixels(), tokens(index), example.label());
        }
        batch.finish(count);
    }
}
