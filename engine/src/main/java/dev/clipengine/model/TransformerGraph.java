package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

/**
 * The forward and backward passes of a transformer {@link ClipModel}: the vision tower over the
 * batch's patches, the text tower over its padded token ids, and the card's contrastive head
 * over the two sets of unit embeddings. Buffers are planned once for {@code maxBatch} pairs, so
 * a step allocates nothing.
 */
public final class TransformerGraph implements ClipGraph {

    private final ClipModel model;
    private final Backend backend;
    private final TransformerConfig config;
    private final int maxBatch;
    private final Gradients gradients;
    private final VisionTower vision;
    private final TextTower text;
    private final ContrastiveHead head;
    private int size;
    private float scale;
    private boolean imageFrozen;
    private boolean textFrozen;

    public TransformerGraph(ClipModel model, Backend backend, int maxBatch) {
        this(model, backend, maxBatch, new Gradients(model));
    }

    /**
     * A graph that only encodes: no gradients, and one block's intermediate values shared by every
     * block, so a ViT-B-32 costs its weights and a few batches of activations rather than three
     * times its weights.
     */
    static TransformerGraph forEncoding(ClipModel model, Backend backend, int maxBatch) {
        return new TransformerGraph(model, backend, maxBatch, Gradients.none(model));
    }

    private TransformerGraph(ClipModel model, Backend backend, int maxBatch, Gradients gradients) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.model = model;
        this.backend = backend;
        this.config = (TransformerConfig) model.config();
        this.maxBatch = maxBatch;
        this.gradients = gradients;
        this.vision = new VisionTower(model, gradients, config, maxBatch);
        this.text = new TextTower(model, gradients, config, maxBatch);
        this.head = new ContrastiveHead(maxBatch);
    }

    @Override
    public ClipModel model() {
        return model;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Gradients gradients() {
        return gradients;
    }

    @Override
    public double forward(Batch batch) {
        encodeTexts(batch);
        encodeImages(batch);
        // StrictMath: the same scale whether this runs interpreted or compiled
        scale = (float) StrictMath.exp(model.logitScale());
        return head.forward(backend, size, config.embedDim(), vision.output(), text.output(), scale);
    }

    @Override
    public void backward() {
        if (!gradients.present()) {
            throw new IllegalStateException("this graph only encodes: make one with ClipGraph.create to train");
        }
        double dLogScale = head.backward(backend, size, config.embedDim(), vision.output(), text.output(), scale,
                vision.dOutput, text.dOutput);
        gradients.data(ClipModel.LOGIT_SCALE)[0] = (float) dLogScale;
        backwardThroughTowers();
    }

    @Override
    public void backwardTowers(float[] dImageEmbeddings, float[] dTextEmbeddings) {
        if (!gradients.present()) {
            throw new IllegalStateException("this graph only encodes: make one with ClipGraph.create to train");
        }
        System.arraycopy(dImageEmbeddings, 0, vision.dOutput, 0, size * config.embedDim());
        System.arraycopy(dTextEmbeddings, 0, text.dOutput, 0, size * config.embedDim());
        gradients.data(ClipModel.LOGIT_SCALE)[0] = 0f;
        backwardThroughTowers();
    }

    /** From the towers' {@code dOutput} into their parameters' gradients, but for frozen towers. */
    private void backwardThroughTowers() {
        if (!imageFrozen) {
            vision.backward(backend);
        }
        if (!textFrozen) {
            text.backward(backend);
        }
    }

    @Override
    public void freezeTowers(boolean image, boolean text) {
        imageFrozen = image;
        textFrozen = text;
    }

    @Override
    public float[] encodeTexts(Batch batch) {
        checkBatch(batch);
        int ids = config.text().contextLength();
        for (int k = 0; k <= batch.size(); k++) {
            if (batch.tokenStart[k] != k * ids) {
                throw new IllegalArgumentException("caption " + k + " does not fill the context of " + ids
                        + " tokens: a transformer takes captions padded to its context length");
            }
        }
        text.forward(backend, batch.tokenIds, batch.size());
        return text.output();
    }

    @Override
    public float[] encodeImages(Batch batch) {
        checkBatch(batch);
        vision.forward(backend, batch.patches, batch.size());
        return vision.output();
    }

    /** The image features of the last encoding before normalisation, {@code [size, embed]}. */
    public float[] imageFeatures() {
        return vision.features();
    }

    /** The caption features of the last encoding before normalisation, {@code [size, embed]}. */
    public float[] textFeatures() {
        return text.features();
    }

    @Override
    public float[] rowProbabilities() {
        return head.rowProbabilities();
    }

    @Override
    public float[] logits() {
        return head.logits();
    }

    private void checkBatch(Batch batch) {
        if (batch.size() < 1 || batch.size() > maxBatch) {
            throw new IllegalArgumentException("batch of " + batch.size() + " pairs; this graph takes 1.." + maxBatch);
        }
        size = batch.size();
    }
}
