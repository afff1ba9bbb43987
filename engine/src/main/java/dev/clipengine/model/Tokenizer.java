package dev.clipengine.model;

/**
 * Turns a caption into the token ids a model takes. The card's models take the ids of its words
 * (at most {@code max_tokens}, no padding); a transformer with the word tokenizer takes
 * {@code <start> words <end>} padded with id 0 to its context length, so its end-of-text token,
 * the largest id, marks where the caption ends.
 */
@FunctionalInterface
public interface Tokenizer {

    /** The caption's ids; {@code where} names it in the error of a caption with no word. */
    int[] encode(String caption, String where);

    /** The tokenizer a model of this config and vocabulary uses. */
    static Tokenizer of(ModelConfig config, Vocabulary vocabulary) {
        if (config instanceof TransformerConfig transformer) {
            if (!TransformerConfig.WORDS.equals(transformer.tokenizer())) {
                throw new IllegalArgumentException("the " + transformer.tokenizer() + " tokenizer is not available");
            }
            int context = transformer.text().contextLength();
            int start = vocabulary.id(Vocabulary.START);
            int end = vocabulary.id(Vocabulary.END);
            return (caption, where) -> {
                int[] ids = new int[context];
                ids[0] = start;
                int words = vocabulary.encode(caption, context - 2, ids, 1, where);
                ids[1 + words] = end;
                return ids;
            };
        }
        int maxTokens = config.maxTokens();
        return (caption, where) -> vocabulary.encode(caption, maxTokens, where);
    }
}
