package dev.clipengine.model;

import dev.clipengine.BadInputException;
import dev.clipengine.data.Resampling;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of the card's CLIP model, each tower a linear + ReLU encoder, mean-pooled and
 * projected (docs/model.md), with the key names of the checkpoint's {@code config} metadata.
 */
public record MlpConfig(int imageSize, int patchSize, int channels, int vocabSize, int wordDim,
                        int textHidden, int imageHidden, int embedDim, int maxTokens,
                        boolean normalize, boolean learnableScale) implements ModelConfig {

    /** Largest value accepted for any dimension: keeps every tensor well inside an array. */
    public static final int MAX_DIM = ModelConfig.MAX_DIM;

    public MlpConfig {
        positive("image_size", imageSize);
        positive("patch_size", patchSize);
        positive("channels", channels);
        positive("vocab_size", vocabSize);
        positive("word_dim", wordDim);
        positive("text_hidden", textHidden);
        positive("image_hidden", imageHidden);
        positive("embed_dim", embedDim);
        positive("max_tokens", maxTokens);
        if (imageSize % patchSize != 0) {
            throw new BadInputException("model config: image_size " + imageSize
                    + " is not a multiple of patch_size " + patchSize);
        }
        if (channels != 1 && channels != 3) {
            throw new BadInputException("model config: channels must be 1 or 3, got " + channels);
        }
        for (long size : new long[] {(long) vocabSize * wordDim, (long) textHidden * wordDim,
                (long) imageHidden * channels * patchSize * patchSize, (long) embedDim * textHidden,
                (long) embedDim * imageHidden}) {
            if (size > Integer.MAX_VALUE / 2) {
                throw new BadInputException("model config: a weight matrix would hold " + size
                        + " elements, more than a Java array can");
            }
        }
    }

    @Override
    public int tokensPerCaption() {
        return maxTokens;
    }

    /** The card's family keeps its floating-point bilinear. */
    @Override
    public Resampling resampling() {
        return Resampling.BILINEAR;
    }

    @Override
    public MlpConfig withVocabSize(int size) {
        return toBuilder().vocabSize(size).build();
    }

    @Override
    public Map<String, int[]> tensorShapes() {
        return ClipModel.mlpShapes(this);
    }

    /** The checkpoint metadata's {@code config} object, keys in a fixed order. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("image_size", imageSize);
        map.put("patch_size", patchSize);
        map.put("channels", channels);
        map.put("vocab_size", vocabSize);
        map.put("word_dim", wordDim);
        map.put("text_hidden", textHidden);
        map.put("image_hidden", imageHidden);
        map.put("embed_dim", embedDim);
        map.put("max_tokens", maxTokens);
        map.put("normalize", normalize);
        map.put("learnable_scale", learnableScale);
        return map;
    }

    private static void positive(String key, int value) {
        if (value < 1 || value > MAX_DIM) {
            throw new BadInputException("model config: " + key + " must be in 1.." + MAX_DIM + ", got " + value);
        }
    }

    /** A config built by name: {@code MlpConfig.builder().imageSize(32).patchSize(8)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config, to change a few of its values by name. */
    public Builder toBuilder() {
        return new Builder().imageSize(imageSize).patchSize(patchSize).channels(channels).vocabSize(vocabSize)
                .wordDim(wordDim).textHidden(textHidden).imageHidden(imageHidden).embedDim(embedDim)
                .maxTokens(maxTokens).normalize(normalize).learnableScale(learnableScale);
    }

    /**
     * Names every value of a config, so that a call site never depends on the order of eleven
     * numbers and flags; every value must be given ({@link #build} checks them as the record does).
     */
    public static final class Builder {
        private int imageSize;
        private int patchSize;
        private int channels;
        private int vocabSize;
        private int wordDim;
        private int textHidden;
        private int imageHidden;
        private int embedDim;
        private int maxTokens;
        private boolean normalize;
        private boolean learnableScale;

        private Builder() {
        }

        public Builder imageSize(int value) {
            imageSize = value;
            return this;
        }

        public Builder patchSize(int value) {
            patchSize = value;
            return this;
        }

        public Builder channels(int value) {
            channels = value;
            return this;
        }

        public Builder vocabSize(int value) {
            vocabSize = value;
            return this;
        }

        public Builder wordDim(int value) {
            wordDim = value;
            return this;
        }

        public Builder textHidden(int value) {
            textHidden = value;
            return this;
        }

        public Builder imageHidden(int value) {
            imageHidden = value;
            return this;
        }

        public Builder embedDim(int value) {
            embedDim = value;
            return this;
        }

        public Builder maxTokens(int value) {
            maxTokens = value;
            return this;
        }

        /** Whether both towers' embeddings are L2-normalised before the similarities. */
        public Builder normalize(boolean value) {
            normalize = value;
            return this;
        }

        /** Whether the logit scale is a trained parameter (else fixed at 1). */
        public Builder learnableScale(boolean value) {
            learnableScale = value;
            return this;
        }

        public MlpConfig build() {
            return new MlpConfig(imageSize, patchSize, channels, vocabSize, wordDim, textHidden, imageHidden,
                    embedDim, maxTokens, normalize, learnableScale);
        }
    }
}
