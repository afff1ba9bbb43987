package dev.clipengine.model;

/**
 * The floating-point operations of one training step's matrix products (2 per multiply-add), the
 * figure GFLOPS and the fraction of the machine's FMA limit are quoted against. Element-wise work
 * (bias, ReLU, pooling, softmax, the optimizer) is a few percent of it and not counted.
 */
public final class StepFlops {

    private StepFlops() {
    }

    /**
     * Forward, backward and nothing else, for {@code pairs} pairs whose captions hold
     * {@code tokens} tokens in all. Each linear layer multiplies once forward and twice backward
     * (weight gradient, input gradient), except the image encoder, whose input (the pixels) needs
     * no gradient; the logits' product is also taken once forward and twice backward.
     */
    public static double trainingStep(ModelConfig c, int pairs, double tokens) {
        double textEncoder = linear(tokens, c.wordDim(), c.textHidden());
        double textProjection = linear(pairs, c.textHidden(), c.embedDim());
        double imageEncoder = linear((double) pairs * c.patchesPerImage(), c.patchDim(), c.imageHidden());
        double imageProjection = linear(pairs, c.imageHidden(), c.embedDim());
        double logits = linear(pairs, c.embedDim(), pairs);
        return 3 * (textEncoder + textProjection + imageProjection + logits) + 2 * imageEncoder;
    }

    /** One product of {@code rows x in} by {@code in x out}. */
    private static double linear(double rows, int in, int out) {
        return 2 * rows * in * out;
    }
}
