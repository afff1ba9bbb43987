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
        return new MlpConfig(imageSize, patchSize, channels, size, wordDim, textHidden, imageHidden, embedDim,
                maxTokens, normalize, learnableScale);
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
}
