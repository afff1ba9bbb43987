package dev.clipengine.training;

import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ContrastiveHead;

/**
 * The contrastive head over a whole global batch whose shares' embeddings workers computed: the
 * same loss and embedding gradients one process computes over the same batch, since it is the
 * same head on the same embeddings. Every row's gradient needs every column's softmax and the
 * reverse, so the head runs once, where all embeddings are, and each worker gets back the
 * gradients of its own rows.
 */
public final class GlobalHead {

    private final ClipModel model;
    private final Backend backend;
    private final GlobalBatchShares shares;
    private final int dim;
    private final ContrastiveHead head;
    private final float[] images;
    private final float[] texts;
    private final float[] dImages;
    private final float[] dTexts;
    private float scale;

    public GlobalHead(ClipModel model, Backend backend, GlobalBatchShares shares) {
        this.model = model;
        this.backend = backend;
        this.shares = shares;
        this.dim = model.config().embedDim();
        this.head = new ContrastiveHead(shares.count());
        int values = Math.multiplyExact(shares.count(), dim);
        this.images = new float[values];
        this.texts = new float[values];
        this.dImages = new float[values];
        this.dTexts = new float[values];
    }

    /** Puts share p's embeddings in their rows of the global batch. */
    public void put(int p, ShareWorker.Embeddings share) {
        int values = shares.size(p) * dim;
        if (share.images().length != values || share.texts().length != values) {
            throw new IllegalArgumentException("share " + p + " brought " + share.images().length + " and "
                    + share.texts().length + " values, not " + values);
        }
        System.arraycopy(share.images(), 0, images, shares.start(p) * dim, values);
        System.arraycopy(share.texts(), 0, texts, shares.start(p) * dim, values);
    }

    /** The global batch's loss, once every share is put. */
    public double forward() {
        // StrictMath, as the graphs take it: the same scale whether this runs interpreted or compiled
        scale = (float) StrictMath.exp(model.logitScale());
        return head.forward(backend, shares.count(), dim, images, texts, scale);
    }

    /** Computes every row's embedding gradients; returns the logit scale's gradient. */
    public float backward() {
        return (float) head.backward(backend, shares.count(), dim, images, texts, scale, dImages, dTexts);
    }

    /** Share p's rows of the image embeddings' gradient, after {@link #backward}. */
    public float[] dImages(int p) {
        return rowsOf(dImages, p);
    }

    /** Share p's rows of the caption embeddings' gradient, after {@link #backward}. */
    public float[] dTexts(int p) {
        return rowsOf(dTexts, p);
    }

    private float[] rowsOf(float[] values, int p) {
        return java.util.Arrays.copyOfRange(values, shares.start(p) * dim, shares.start(p + 1) * dim);
    }
}
