package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.model.Batch;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.kernels.Backend;

/**
 * One worker's part of a data-parallel step: it encodes its share of the global batch, and later
 * back-propagates the gradients of the global loss w.r.t. its share's embeddings (computed where
 * every embedding is, {@link GlobalHead}) through its own towers. The gradients of all shares,
 * summed, are the global batch's. Keeps the share's activations between the two calls.
 */
public final class ShareWorker {

    private final ClipModel model;
    private final ClipGraph graph;
    private final Batch batch;
    private final int embedDim;

    /**
     * @param model the worker's replica of the model, whose values the caller keeps in step with
     *              the trainer's before each encoding
     */
    public ShareWorker(ClipModel model, Backend backend, int maxShare, boolean imageFrozen, boolean textFrozen) {
        ModelConfig config = model.config();
        this.model = model;
        this.graph = ClipGraph.create(model, backend, maxShare);
        this.graph.freezeTowers(imageFrozen, textFrozen);
        this.batch = new Batch(config, maxShare);
        this.embedDim = config.embedDim();
    }

    public ClipModel model() {
        return model;
    }

    /** A share's embeddings, {@code [size, embed_dim]} each, in new arrays that can travel. */
    public record Embeddings(float[] images, float[] texts) implements java.io.Serializable {
    }

    /** Encodes the pairs {@code indices} of {@code pairs} (whose epoch the caller has started). */
    public Embeddings encode(EncodedPairs pairs, int[] indices) {
        fill(pairs, indices);
        return encode();
    }

    /**
     * Puts the pairs {@code indices} of {@code pairs} in the share's batch; apart from {@link
     * #encode()} so that workers sharing one set of pairs need to hold it only while filling.
     */
    public void fill(EncodedPairs pairs, int[] indices) {
        pairs.fill(batch, indices, 0, indices.length);
    }

    /** Encodes the share last {@linkplain #fill filled}. */
    public Embeddings encode() {
        int values = batch.size() * embedDim;
        float[] texts = java.util.Arrays.copyOf(graph.encodeTexts(batch), values);
        float[] images = java.util.Arrays.copyOf(graph.encodeImages(batch), values);
        return new Embeddings(images, texts);
    }

    /**
     * Back-propagates the last encoded share's embedding gradients (rows images, then captions) and
     * returns the share's part of every parameter's gradient, laid out as {@link FlatTensors} lays
     * out the model; the logit scale's is 0 (the head's own, added once by the driver).
     */
    public float[] backward(float[] dImages, float[] dTexts) {
        graph.backwardTowers(dImages, dTexts);
        return FlatTensors.of(graph.gradients().tensors());
    }
}
