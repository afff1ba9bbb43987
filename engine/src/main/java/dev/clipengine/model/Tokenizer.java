package dev.clipengine.model;

import dev.clipengine.BadInputException;
import dev.clipengine.text.ClipBpe;

/**
 * Turns a caption into the token ids a model takes. The card's models take the ids of its words
 * (at most {@code max_tokens}, no padding); a transformer with the word tokenizer takes
 * {@code <start> words <end>} padded with id 0 to its context length, so its end-of-text token,
 * the largest id, marks where the caption ends. A transformer with CLIP's tokenizer takes the
 * ids of CLIP's byte-pair encoding ({@link ClipBpe}), framed and padded the same way.
 */
@FunctionalInterface
public interface Tokenizer {

    /** The caption's ids; {@code where} names it in the error of a caption with no word. */
    int[] encode(String caption, String where);

    /**
     * The tokenizer a model of this config and vocabulary uses; a transformer with CLIP's
     * tokenizer has no word vocabulary (null) and takes OpenAI's byte-pair vocabulary.
     */
    static Tokenizer of(ModelConfig config, Vocabulary vocabulary) {
        if (config instanceof TransformerConfig transformer) {
            int context = transformer.text().contextLength();
            if (TransformerConfig.CLIP_BPE.equals(transformer.tokenizer())) {
                if (vocabulary != null) {
                    throw new IllegalArgumentException("CLIP's tokenizer takes no word vocabulary");
                }
                return clipBpe(ClipBpe.openAi(), transformer);
            }
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

    /** The tokenizer of a model: its word vocabulary's, or its byte-pair vocabulary's. */
    static Tokenizer of(ClipModel model) {
        if (model.config() instanceof TransformerConfig t && TransformerConfig.CLIP_BPE.equals(t.tokenizer())) {
            return clipBpe(model.clipBpe(), t);
        }
        return of(model.config(), model.vocabulary());
    }

    private static Tokenizer clipBpe(ClipBpe bpe, TransformerConfig config) {
        if (config.text().vocabSize() < bpe.vocabularySize()) {
            throw new BadInputException("model config: text_cfg.vocab_size " + config.text().vocabSize()
                    + " is smaller than the tokenizer's " + bpe.vocabularySize() + " token ids");
        }
        return clipBpe(bpe, config.text().contextLength());
    }

    /**
     * CLIP's tokenizer with a context of {@code contextLength} ids: every caption is encoded,
     * even an empty one, and one too long is cut with end-of-text last, as open_clip does.
     */
    static Tokenizer clipBpe(ClipBpe bpe, int contextLength) {
        return (caption, where) -> bpe.encode(caption, contextLength);
    }
}
