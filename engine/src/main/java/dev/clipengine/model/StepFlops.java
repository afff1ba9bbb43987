package dev.clipengine.model;

/**
 * The floating-point operations of a step's matrix products (2 per multiply-add), the figure
 * GFLOPS and the fraction of the machine's FMA limit are quoted against. Element-wise work (bias,
 * activations, LayerNorm, pooling, softmax, the optimizer) is a few percent of it and not counted.
 * Attention's two products count every (query, key) pair, masked or not, as PyTorch computes them.
 */
public final class StepFlops {

    private StepFlops() {
    }

    /**
     * Forward, backward and nothing else, for {@code pairs} pairs whose captions hold
     * {@code tokens} tokens in all (a transformer's fill its context). A product is taken once
     * forward and twice backward (weight gradient, input gradient), except where the input
     * needs no gradient (the pixels): once forward, once backward.
     */
    public static double trainingStep(ModelConfig config, int pairs, double tokens) {
        double logits = linear(pairs, config.embedDim(), pairs);
        return switch (config) {
            case MlpConfig c -> {
                double textEncoder = linear(tokens, c.wordDim(), c.textHidden());
                double textProjection = linear(pairs, c.textHidden(), c.embedDim());
                double imageEncoder = linear((double) pairs * c.patchesPerImage(), c.patchDim(), c.imageHidden());
                double imageProjection = linear(pairs, c.imageHidden(), c.embedDim());
                yield 3 * (textEncoder + textProjection + imageProjection + logits) + 2 * imageEncoder;
            }
            case TransformerConfig c -> 3 * (imageBlocks(c, pairs) + textBlocks(c, pairs, c.text().contextLength())
                    + linear(pairs, c.vision().width(), c.embedDim()) + linear(pairs, c.text().width(), c.embedDim())
                    + logits) + 2 * patchEmbedding(c, pairs);
        };
    }

    /** A transformer's image tower, forward only, for {@code images} images. */
    public static double encodeImages(TransformerConfig c, int images) {
        return imageBlocks(c, images) + patchEmbedding(c, images) + linear(images, c.vision().width(), c.embedDim());
    }

    /** A transformer's text tower, forward only, for {@code texts} captions of {@code positions} tokens each. */
    public static double encodeTexts(TransformerConfig c, int texts, int positions) {
        return textBlocks(c, texts, positions) + linear(texts, c.text().width(), c.embedDim());
    }

    private static double imageBlocks(TransformerConfig c, int images) {
        TransformerConfig.Vision v = c.vision();
        return v.layers() * block(images, v.tokens(), v.width(), v.mlpWidth());
    }

    private static double textBlocks(TransformerConfig c, int texts, int positions) {
        TransformerConfig.Text t = c.text();
        return t.layers() * block(texts, positions, t.width(), t.mlpWidth());
    }

    private static double patchEmbedding(TransformerConfig c, int images) {
        return linear((double) images * c.patchesPerImage(), c.patchDim(), c.vision().width());
    }

    /** in_proj, the scores and the weighted sum of every head, out_proj, c_fc and c_proj. */
    private static double block(int sequences, int length, int width, int mlpWidth) {
        double rows = (double) sequences * length;
        double attention = 2 * linear(rows, width, length);
        return linear(rows, width, 3 * width) + attention + linear(rows, width, width)
                + linear(rows, width, mlpWidth) + linear(rows, mlpWidth, width);
    }

    /** One product of {@code rows x in} by {@code in x out}. */
    private static double linear(double rows, int in, int out) {
        return 2 * rows * in * out;
    }
}
