package dev.clipengine.model;

import dev.clipengine.BadInputException;
import dev.clipengine.Rng;
import dev.clipengine.text.ClipBpe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a CLIP model of either family, by name, with its config and vocabulary: for
 * the card's family a text tower (token embedding, linear + ReLU encoder, projection), an image
 * tower (linear + ReLU patch encoder, projection) and the log of the logit scale; for the
 * transformer family OpenAI's tensors ({@link TransformerTensors}). Tensor names and shapes are
 * the checkpoint's, in its order.
 */
public final class ClipModel {

    public static final String TOKEN_EMBEDDING = "text.token_embedding.weight";
    public static final String TEXT_ENCODER_WEIGHT = "text.encoder.weight";
    public static final String TEXT_ENCODER_BIAS = "text.encoder.bias";
    public static final String TEXT_PROJECTION_WEIGHT = "text.projection.weight";
    public static final String TEXT_PROJECTION_BIAS = "text.projection.bias";
    public static final String IMAGE_ENCODER_WEIGHT = "image.encoder.weight";
    public static final String IMAGE_ENCODER_BIAS = "image.encoder.bias";
    public static final String IMAGE_PROJECTION_WEIGHT = "image.projection.weight";
    public static final String IMAGE_PROJECTION_BIAS = "image.projection.bias";
    public static final String LOGIT_SCALE = "logit_scale";

    /** open_clip's clamp: the scale stays within [1, 100]. */
    public static final double MAX_LOGIT_SCALE = Math.log(100);
    /** CLIP's starting temperature 0.07. */
    public static final double INITIAL_LOGIT_SCALE = Math.log(1 / 0.07);

    /** Whether the parameter {@code name}, of either family, belongs to the image tower. */
    public static boolean inImageTower(String name) {
        return name.startsWith("visual.") || name.startsWith("image.");
    }

    /** Whether the parameter {@code name}, of either family, belongs to the text tower. */
    public static boolean inTextTower(String name) {
        return !inImageTower(name) && !name.equals(LOGIT_SCALE);
    }

    private final ModelConfig config;
    private final Vocabulary vocabulary;
    /** CLIP's byte-pair vocabulary when a checkpoint brings its own; null for OpenAI's. */
    private ClipBpe bpe;
    private final Map<String, Tensor> tensors;

    /**
     * A model from named tensors (e.g. read from a file). Every tensor the config needs must be
     * there with its exact shape; {@code logit_scale} may be {@code []} or {@code [1]}.
     *
     * @param source names the tensors' origin in error messages, e.g. a file path
     */
    public ClipModel(ModelConfig config, Vocabulary vocabulary, Map<String, Tensor> named, String source) {
        boolean wordTokens = !(config instanceof TransformerConfig t) || TransformerConfig.WORDS.equals(t.tokenizer());
        if (wordTokens ? vocabulary == null : vocabulary != null) {
            throw new IllegalArgumentException(wordTokens ? "a model with the word tokenizer needs its vocabulary"
                    : "a model with CLIP's tokenizer has no word vocabulary");
        }
        if (wordTokens && vocabulary.size() != config.vocabSize()) {
            throw new BadInputException(source + ": the vocabulary has " + vocabulary.size()
                    + " words but the config says vocab_size " + config.vocabSize());
        }
        this.config = config;
        this.vocabulary = vocabulary;
        this.tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = config.tensorShapes();
        for (Map.Entry<String, int[]> entry : shapes.entrySet()) {
            String name = entry.getKey();
            Tensor tensor = named.get(name);
            if (tensor == null) {
                throw new BadInputException(source + ": the tensor " + name + " is missing");
            }
            int[] expected = entry.getValue();
            boolean scalarAsOne = name.equals(LOGIT_SCALE) && Arrays.equals(tensor.shape(), new int[] {1});
            if (!Arrays.equals(tensor.shape(), expected) && !scalarAsOne) {
                throw new BadInputException(source + ": the tensor " + name + " has shape "
                        + Arrays.toString(tensor.shape()) + " but the config needs " + Arrays.toString(expected));
            }
            // every tensor is stored under its canonical shape, so a [1] logit_scale is saved as []
            tensors.put(name, new Tensor(name, expected, tensor.data()));
        }
        for (String name : named.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new BadInputException(source + ": unexpected tensor " + name + " (a model file holds only the "
                        + shapes.size() + " tensors of the model)");
            }
        }
    }

    /**
     * A new model from the seed. The card's family takes PyTorch's default initialisation:
     * embeddings N(0, 1), every Linear's weight and bias U(-1/sqrt(in), 1/sqrt(in));
     * {@code logit_scale} ln(1/0.07) when learnable, else 0. The transformer family takes
     * open_clip's ({@link TransformerTensors#initialize}).
     */
    public static ClipModel initialize(ModelConfig config, Vocabulary vocabulary, long seed) {
        Rng rng = new Rng(seed);
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> entry : config.tensorShapes().entrySet()) {
            named.put(entry.getKey(), Tensor.zeros(entry.getKey(), entry.getValue()));
        }
        switch (config) {
            case MlpConfig mlp -> initializeMlp(mlp, named, rng);
            case TransformerConfig transformer -> TransformerTensors.initialize(transformer, named, rng);
        }
        return new ClipModel(config, vocabulary, named, "new model");
    }

    private static void initializeMlp(MlpConfig config, Map<String, Tensor> named, Rng rng) {
        fillNormal(named.get(TOKEN_EMBEDDING), rng);
        initLinear(named, "text.encoder", config.wordDim(), rng);
        initLinear(named, "text.projection", config.textHidden(), rng);
        initLinear(named, "image.encoder", config.patchDim(), rng);
        initLinear(named, "image.projection", config.imageHidden(), rng);
        named.get(LOGIT_SCALE).data()[0] = config.learnableScale() ? (float) INITIAL_LOGIT_SCALE : 0f;
    }

    /** The card family's tensors, in the order its files list them (docs/formats.md). */
    static Map<String, int[]> mlpShapes(MlpConfig c) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put(TOKEN_EMBEDDING, new int[] {c.vocabSize(), c.wordDim()});
        shapes.put(TEXT_ENCODER_WEIGHT, new int[] {c.textHidden(), c.wordDim()});
        shapes.put(TEXT_ENCODER_BIAS, new int[] {c.textHidden()});
        shapes.put(TEXT_PROJECTION_WEIGHT, new int[] {c.embedDim(), c.textHidden()});
        shapes.put(TEXT_PROJECTION_BIAS, new int[] {c.embedDim()});
        shapes.put(IMAGE_ENCODER_WEIGHT, new int[] {c.imageHidden(), c.patchDim()});
        shapes.put(IMAGE_ENCODER_BIAS, new int[] {c.imageHidden()});
        shapes.put(IMAGE_PROJECTION_WEIGHT, new int[] {c.embedDim(), c.imageHidden()});
        shapes.put(IMAGE_PROJECTION_BIAS, new int[] {c.embedDim()});
        shapes.put(LOGIT_SCALE, new int[] {});
        return shapes;
    }

    private static void fillNormal(Tensor t, Rng rng) {
        float[] data = t.data();
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rng.nextGaussian();
        }
    }

    private static void initLinear(Map<String, Tensor> named, String prefix, int fanIn, Rng rng) {
        double bound = 1 / Math.sqrt(fanIn);
        for (String suffix : List.of(".weight", ".bias")) {
            float[] data = named.get(prefix + suffix).data();
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
            }
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The words of the word tokenizer, or null for a model with CLIP's byte-pair tokenizer. */
    /**
     * Uses {@code bpe} (e.g. a Hugging Face folder's {@code vocab.json} and {@code merges.txt})
     * rather than OpenAI's vocabulary for a model with CLIP's tokenizer; returns this model.
     */
    public ClipModel withClipBpe(ClipBpe bpe) {
        if (!(config instanceof TransformerConfig t) || !TransformerConfig.CLIP_BPE.equals(t.tokenizer())) {
            throw new IllegalArgumentException("only a model with CLIP's tokenizer takes a byte-pair vocabulary");
        }
        this.bpe = bpe;
        return this;
    }

    /** The byte-pair vocabulary of a model with CLIP's tokenizer: its own, or OpenAI's. */
    public ClipBpe clipBpe() {
        return bpe != null ? bpe : ClipBpe.openAi();
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Every tensor, in the file's order. */
    public List<Tensor> tensors() {
        return List.copyOf(tensors.values());
    }

    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return t;
    }

    /** The log of the logit scale. */
    public float logitScale() {
        return tensors.get(LOGIT_SCALE).data()[0];
    }

    /** Keeps a learnable scale within [0, ln 100], outside any gradient (docs/model.md). */
    public void clampLogitScale() {
        if (config.learnableScale()) {
            float[] s = tensors.get(LOGIT_SCALE).data();
            s[0] = (float) Math.min(Math.max(s[0], 0.0), MAX_LOGIT_SCALE);
        }
    }
}
