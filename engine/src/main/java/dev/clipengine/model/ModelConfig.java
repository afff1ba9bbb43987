package dev.clipengine.model;

import dev.clipengine.data.Resampling;

import java.util.List;
import java.util.Map;

/**
 * The shape of a CLIP model: the card's linear + ReLU towers ({@link MlpConfig}) or OpenAI's
 * transformer towers ({@link TransformerConfig}). What every part outside the towers needs to
 * know (image and caption sizes, the shared space, the parameters' names and shapes) is here, so
 * the trainer, evaluation and files treat both families alike. docs/model.md gives the math.
 */
public sealed interface ModelConfig permits MlpConfig, TransformerConfig {

    /** Largest value accepted for any dimension: keeps every tensor well inside an array. */
    int MAX_DIM = 1 << 20;

    /** The built-in configs by the names {@code --model} knows them by. */
    List<String> BUILT_IN = List.of("default", "seed", "benchmark", "vit-tiny", "vit-fashion", "vit-bench",
            "ViT-B-32", "ViT-B-16");

    int imageSize();

    int patchSize();

    /** Colour channels of the images the model takes (a transformer always takes 3). */
    int channels();

    int vocabSize();

    int embedDim();

    /** Words a caption keeps, at most. */
    int maxTokens();

    /** Token ids a caption occupies in a batch, at most (a transformer's are padded to its context). */
    int tokensPerCaption();

    /** Whether embeddings are L2-normalised before the logits. */
    boolean normalize();

    /** Whether the logit scale is trained. */
    boolean learnableScale();

    /** The same shape with another vocabulary size (the vocabulary comes from the data). */
    ModelConfig withVocabSize(int size);

    /** Every parameter's name and shape, in the order files store them. */
    Map<String, int[]> tensorShapes();

    /** The checkpoint metadata's {@code config} object, keys in a fixed order. */
    Map<String, Object> toMap();

    /** The vocabulary a new model of this shape takes, given the words of its data. */
    default Vocabulary vocabularyFor(Vocabulary words) {
        return words;
    }

    /**
     * How an image of another size is brought to the model's: the card's family's bilinear, or
     * Pillow's bicubic exactly as OpenAI's CLIP preprocesses for the transformers.
     */
    Resampling resampling();

    /** How pixel bytes become the model's input values. */
    default PixelNormalization pixelNormalization() {
        return PixelNormalization.UNIT;
    }

    default int patchesPerSide() {
        return imageSize() / patchSize();
    }

    default int patchesPerImage() {
        return patchesPerSide() * patchesPerSide();
    }

    /** Entries of one flattened patch: {@code channels * patch_size^2}. */
    default int patchDim() {
        return channels() * patchSize() * patchSize();
    }

    /** The card's model: 3-d words, 2x2 grey patches, hidden 3 and 4, a 2-d shared space, scale 1. */
    static MlpConfig seed(int vocabSize) {
        return MlpConfig.builder().imageSize(4).patchSize(2).channels(1).vocabSize(vocabSize).wordDim(3).textHidden(3)
                .imageHidden(4).embedDim(2).maxTokens(16).normalize(false).learnableScale(false).build();
    }

    /** The default: sized so the built-in data is learnt in about a minute on two cores. */
    static MlpConfig standard(int vocabSize) {
        return MlpConfig.builder().imageSize(32).patchSize(8).channels(3).vocabSize(vocabSize).wordDim(64)
                .textHidden(256).imageHidden(512).embedDim(64).maxTokens(16).normalize(true).learnableScale(true)
                .build();
    }

    /**
     * The fixed model speed is measured on: 28x28 grey images in 7x7 patches, 32-d words, hidden 512
     * on both sides, a 64-d normalised space with a learnable scale, captions of up to 6 tokens.
     * Fixed so that no change of the default moves the published figures.
     */
    static MlpConfig benchmark(int vocabSize) {
        return MlpConfig.builder().imageSize(28).patchSize(7).channels(1).vocabSize(vocabSize).wordDim(32)
                .textHidden(512).imageHidden(512).embedDim(64).maxTokens(6).normalize(true).learnableScale(true)
                .build();
    }

    /** The built-in config of that name (see {@link #BUILT_IN}), or null for another name. */
    static ModelConfig builtIn(String name, int vocabSize) {
        return switch (name) {
            case "default" -> standard(vocabSize);
            case "seed" -> seed(vocabSize);
            case "benchmark" -> benchmark(vocabSize);
            default -> TransformerConfig.builtIn(name, vocabSize);
        };
    }
}
