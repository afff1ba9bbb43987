package dev.clipengine.walkthrough;

import dev.clipengine.Rng;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the walkthrough card starts: its mini-batch of three text-image pairs, every image given
 * directly as two flattened patches of four values, and a model of the card's shapes (docs/model.md:
 * 3-d words, hidden 3 and 4, a 2-d shared space, no normalisation, scale 1).
 *
 * @param patches {@code [pairs * 2, 4]}: image k is rows 2k and 2k+1
 */
public record CardSetup(List<String> captions, ClipModel model, float[] patches) {

    public static final int PAIRS = 3;
    public static final int PATCHES_PER_IMAGE = 2;
    public static final List<String> CAPTIONS = List.of("big table", "small chair", "big chair");

    public CardSetup {
        captions = List.copyOf(captions);
        patches = patches.clone();
    }

    /**
     * Small integers a hand calculation would use, picked so that no encoder input lands exactly
     * on ReLU's kink, some features are cut to 0 but none vanishes everywhere, mean pooling and the
     * projections give integers again, and the similarities are distinct integers from -2 to 3
     * (so the card's 3^x stays easy) where only the third image already prefers its own caption.
     */
    public static CardSetup handPicked() {
        Vocabulary vocabulary = Vocabulary.fromCaptions(CAPTIONS);
        Map<String, float[]> values = new LinkedHashMap<>();
        values.put(ClipModel.TOKEN_EMBEDDING, new float[] {
                0, 0, 0,     // <unk>
                -1, 1, -1,   // big
                1, 1, 1,     // table
                -1, -1, 1,   // small
                1, -1, -1}); // chair
        values.put(ClipModel.TEXT_ENCODER_WEIGHT, new float[] {-1, 1, 1, 1, -1, 1, -1, -1, -1});
        values.put(ClipModel.TEXT_ENCODER_BIAS, new float[] {1, 1, 1});
        values.put(ClipModel.TEXT_PROJECTION_WEIGHT, new float[] {-1, 1, 0, 0, 1, -1});
        values.put(ClipModel.TEXT_PROJECTION_BIAS, new float[] {1, -1});
        values.put(ClipModel.IMAGE_ENCODER_WEIGHT, new float[] {1, 1, 1, -1, 1, 0, 1, 0, -1, -1, 1, 1, 1, 0, 1, -1});
        values.put(ClipModel.IMAGE_ENCODER_BIAS, new float[] {1, -1, 0, 1});
        values.put(ClipModel.IMAGE_PROJECTION_WEIGHT, new float[] {1, -1, 1, -1, 0, 1, 1, -1});
        values.put(ClipModel.IMAGE_PROJECTION_BIAS, new float[] {-1, -1});
        values.put(ClipModel.LOGIT_SCALE, new float[] {0});
        ModelConfig config = config(vocabulary);
        Map<String, Tensor> named = new LinkedHashMap<>();
        config.tensorShapes().forEach((name, shape) -> named.put(name, new Tensor(name, shape,
                values.get(name))));
        float[] patches = {
                2, 2, 1, 0,  0, 0, 0, 2,   // I1
                2, 0, 1, 2,  1, 2, 2, 2,   // I2
                0, 1, 0, 0,  2, 1, 1, 1};  // I3
        return new CardSetup(CAPTIONS, new ClipModel(config, vocabulary, named, "the walkthrough card"), patches);
    }

    /**
     * Random values: the weights and word vectors a new model of these shapes starts from
     * (PyTorch's initialisation, as {@code train} draws them), and pixel values {@code byte / 255}.
     */
    public static CardSetup random(long seed) {
        Vocabulary vocabulary = Vocabulary.fromCaptions(CAPTIONS);
        ClipModel model = ClipModel.initialize(config(vocabulary), vocabulary, seed);
        Rng pixels = new Rng(seed).fork(1);
        float[] patches = new float[PAIRS * PATCHES_PER_IMAGE * model.config().patchDim()];
        for (int i = 0; i < patches.length; i++) {
            patches[i] = pixels.nextInt(256) / 255f;
        }
        return new CardSetup(CAPTIONS, model, patches);
    }

    /** The seed model's shapes; its 4x4 images are never cut, as the card gives its patches directly. */
    private static ModelConfig config(Vocabulary vocabulary) {
        return ModelConfig.seed(vocabulary.size());
    }

    @Override
    public float[] patches() {
        return patches.clone();
    }

    /** Each caption's words, as the tokenizer splits them. */
    public List<List<String>> words() {
        return captions.stream().map(Vocabulary::words).toList();
    }
}
