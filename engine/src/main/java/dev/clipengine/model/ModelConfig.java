package dev.clipengine.model;

import dev.clipengine.BadInputException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of an MLP CLIP model (contract section 1), with the key names of the checkpoint's
 * {@code config} metadata.
 */
public record ModelConfig(int imageSize, int patchSize, int channels, int vocabSize, int wordDim,
                          int textHidden, int imageHidden, int embedDim, int maxTokens,
                          boolean normalize, boolean learnableScale) {

    /** Largest value accepted for any dimension: keeps every tensor well inside an array. */
    public static final int MAX_DIM = 1 << 20;

    public ModelConfig {
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

    /** The card's model: 3-d words, 2x2 grey patches, hidden 3 and 4, a 2-d shared space, scale 1. */
    public static ModelConfig seed(int vocabSize) {
        return new ModelConfig(4, 2, 1, vocabSize, 3, 3, 4, 2, 16, false, false);
    }

    /** The default: sized so the built-in data is learnt in about a minute on two cores. */
    public static ModelConfig standard(int vocabSize) {
        return new ModelConfig(32, 8, 3, vocabSize, 64, 256, 512, 64, 16, true, true);
    }

    /**
     * The fixed model speed is measured on: 28x28 grey images in 7x7 patches, 32-d words, hidden 512
     * on both sides, a 64-d normalised space with a learnable scale, captions of up to 6 tokens.
     * Fixed so that no change of the default moves the published figures.
     */
    public static ModelConfig benchmark(int vocabSize) {
        return new ModelConfig(28, 7, 1, vocabSize, 32, 512, 512, 64, 6, true, true);
    }

    /** The built-in configs by the names {@code --model} knows them by. */
    public static final java.util.List<String> BUILT_IN = java.util.List.of("default", "seed", "benchmark");

    /** The built-in config of that name (see {@link #BUILT_IN}), or null for another name. */
    public static ModelConfig builtIn(String name, int vocabSize) {
        return switch (name) {
            case "default" -> standard(vocabSize);
            case "seed" -> seed(vocabSize);
            case "benchmark" -> benchmark(vocabSize);
            default -> null;
        };
    }

    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int patchesPerImage() {
        return patchesPerSide() * patchesPerSide();
    }

    /** Entries of one flattened patch: {@code channels * patch_size^2}. */
    public int patchDim() {
        return channels * patchSize * patchSize;
    }

    public ModelConfig withVocabSize(int size) {
        return new ModelConfig(imageSize, patchSize, channels, size, wordDim, textHidden, imageHidden, embedDim,
                maxTokens, normalize, learnableScale);
    }

    /** The checkpoint metadata's {@code config} object, keys in a fixed order. */
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
