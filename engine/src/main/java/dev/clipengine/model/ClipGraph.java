package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

/**
 * A model's forward and backward passes over batches of up to a fixed number of pairs, on one
 * backend, in buffers planned once: the loss of a batch, the gradient of every parameter, and
 * either tower alone for encoding. Not thread-safe; buffers returned are the graph's own, valid
 * until the next call.
 */
public interface ClipGraph {

    /** The graph of the model's family, for batches of up to maxBatch pairs. */
    static ClipGraph create(ClipModel model, Backend backend, int maxBatch) {
        return switch (model.config()) {
            case MlpConfig mlp -> new MlpGraph(model, backend, maxBatch);
            case TransformerConfig transformer -> new TransformerGraph(model, backend, maxBatch);
        };
    }

    /**
     * A graph that only encodes (and scores: {@link #forward} works, {@link #backward} does not):
     * a transformer's keeps no gradients and no activations for a backward pass.
     */
    static ClipGraph forEncoding(ClipModel model, Backend backend, int maxBatch) {
        return switch (model.config()) {
            case MlpConfig mlp -> new MlpGraph(model, backend, maxBatch);
            case TransformerConfig transformer -> TransformerGraph.forEncoding(model, backend, maxBatch);
        };
    }

    ClipModel model();

    Backend backend();

    /** Written by {@link #backward()}. */
    Gradients gradients();

    /** Runs both towers and the head; returns the batch's loss. Needs at least 1 pair. */
    double forward(Batch batch);

    /**
     * Overwrites every gradient with that of the last {@link #forward}'s loss, but for the towers
     * frozen by {@link #freezeTowers}: nothing is propagated through them and their gradients are
     * left as they were.
     */
    void backward();

    /**
     * Propagates given gradients of the loss w.r.t. the last encoded batch's embeddings (both
     * {@code [size, embed_dim]}, rows images and captions) through the towers not frozen,
     * overwriting their gradients; the logit scale's gradient becomes 0. With the rows of a share of
     * a larger batch, whose head ran elsewhere, the gradients are that share's part of the batch's.
     * Needs {@link #encodeTexts} and {@link #encodeImages} of the same batch first.
     */
    void backwardTowers(float[] dImageEmbeddings, float[] dTextEmbeddings);

    /** From now on {@link #backward()} skips the image tower, the text tower, or both. */
    void freezeTowers(boolean image, boolean text);

    /** The captions' embeddings {@code [size, embed_dim]}. */
    float[] encodeTexts(Batch batch);

    /** The images' embeddings {@code [size, embed_dim]}. */
    float[] encodeImages(Batch batch);

    /** The logits of the last forward, {@code [n, n]}, rows images. */
    float[] logits();

    /** Each row's softmax of the last forward's logits (image to text), {@code [n, n]}. */
    float[] rowProbabilities();
}
