package dev.clipengine.model;

import dev.clipengine.kernels.Backend;

import java.util.Arrays;

/**
 * The forward and backward passes of a card-family {@link ClipModel} over batches of up to
 * {@code maxBatch} pairs, on one backend. Every buffer is planned here once, so a step allocates
 * nothing.
 * <pre>
 *   text:  token ids -> gather embeddings -> Tower -> t
 *   image: patches                        -> Tower -> v
 *   head:  logits = exp(logit_scale) v t^T -> symmetric cross-entropy
 * </pre>
 */
public final class MlpGraph implements ClipGraph {

    private final ClipModel model;
    private final Backend backend;
    private final MlpConfig config;
    private final int maxBatch;
    private final Gradients gradients;

    private final Tower textTower;
    private final Tower imageTower;
    private final ContrastiveHead head;
    private final float[] tokenVectors;   // [tokens, word_dim]
    private final float[] dTokenVectors;
    private final int[] imagePatchStart;  // item k's patches start at row k * patchesPerImage

    private Batch batch;
    private float scale;
    private boolean imageFrozen;
    private boolean textFrozen;

    public MlpGraph(ClipModel model, Backend backend, int maxBatch) {
        this(model, backend, maxBatch, model.config().patchesPerImage());
    }

    /**
     * A graph whose images come as {@code patchesPerImage} rows of {@code patch_dim} values each in
     * {@link Batch#patches}, however many patches the config's square image would make: the
     * walkthrough card gives every image as two patches, which no square grid of patches does.
     */
    public MlpGraph(ClipModel model, Backend backend, int maxBatch, int patchesPerImage) {
        if (patchesPerImage < 1) {
            throw new IllegalArgumentException("an image needs at least 1 patch, got " + patchesPerImage);
        }
        this.model = model;
        this.backend = backend;
        this.config = (MlpConfig) model.config();
        this.maxBatch = maxBatch;
        this.gradients = new Gradients(model);
        int maxTokens = Math.multiplyExact(maxBatch, config.maxTokens());
        int maxPatches = Math.multiplyExact(maxBatch, patchesPerImage);
        this.textTower = new Tower(config.wordDim(), config.textHidden(), config.embedDim(), config.normalize(),
                maxTokens, maxBatch, model.tensor(ClipModel.TEXT_ENCODER_WEIGHT),
                model.tensor(ClipModel.TEXT_ENCODER_BIAS), model.tensor(ClipModel.TEXT_PROJECTION_WEIGHT),
                model.tensor(ClipModel.TEXT_PROJECTION_BIAS), gradients);
        this.imageTower = new Tower(config.patchDim(), config.imageHidden(), config.embedDim(), config.normalize(),
                maxPatches, maxBatch, model.tensor(ClipModel.IMAGE_ENCODER_WEIGHT),
                model.tensor(ClipModel.IMAGE_ENCODER_BIAS), model.tensor(ClipModel.IMAGE_PROJECTION_WEIGHT),
                model.tensor(ClipModel.IMAGE_PROJECTION_BIAS), gradients);
        this.head = new ContrastiveHead(maxBatch);
        this.tokenVectors = new float[Math.multiplyExact(maxTokens, config.wordDim())];
        this.dTokenVectors = new float[tokenVectors.length];
        this.imagePatchStart = new int[maxBatch + 1];
        for (int k = 0; k <= maxBatch; k++) {
            imagePatchStart[k] = k * patchesPerImage;
        }
    }

    @Override
    public ClipModel model() {
        return model;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** Written by {@link #backward()}. */
    @Override
    public Gradients gradients() {
        return gradients;
    }

    /** Runs both towers and the head; returns the batch's loss. Needs at least 1 pair. */
    @Override
    public double forward(Batch batch) {
        encodeTexts(batch);
        encodeImages(batch);
        // StrictMath: the same scale whether this runs interpreted or compiled
        scale = (float) StrictMath.exp(model.logitScale());
        return head.forward(backend, batch.size(), config.embedDim(), imageTower.output(), textTower.output(), scale);
    }

    /** Overwrites every gradient with that of the last {@link #forward}'s loss. */
    @Override
    public void backward() {
        int n = batch.size();
        int dim = config.embedDim();
        double dLogScale = head.backward(backend, n, dim, imageTower.output(), textTower.output(), scale,
                imageTower.dOutput, textTower.dOutput);
        gradients.data(ClipModel.LOGIT_SCALE)[0] = (float) dLogScale;
        backwardThroughTowers();
    }

    @Override
    public void backwardTowers(float[] dImageEmbeddings, float[] dTextEmbeddings) {
        int values = batch.size() * config.embedDim();
        System.arraycopy(dImageEmbeddings, 0, imageTower.dOutput, 0, values);
        System.arraycopy(dTextEmbeddings, 0, textTower.dOutput, 0, values);
        gradients.data(ClipModel.LOGIT_SCALE)[0] = 0f;
        backwardThroughTowers();
    }

    /** From the towers' {@code dOutput} into their parameters' gradients, but for frozen towers. */
    private void backwardThroughTowers() {
        if (!imageFrozen) {
            imageTower.backward(backend, null);
        }
        if (!textFrozen) {
            textTower.backward(backend, dTokenVectors);
            float[] dEmbedding = gradients.data(ClipModel.TOKEN_EMBEDDING);
            Arrays.fill(dEmbedding, 0f);
            backend.scatterAdd(batch.tokenCount(), batch.tokenIds, config.wordDim(), dTokenVectors, dEmbedding);
        }
    }

    @Override
    public void freezeTowers(boolean image, boolean text) {
        imageFrozen = image;
        textFrozen = text;
    }

    /** The captions' embeddings {@code [size, embed_dim]}, valid until the next call. */
    @Override
    public float[] encodeTexts(Batch batch) {
        checkCapacity(batch);
        this.batch = batch;
        backend.gather(batch.tokenCount(), batch.tokenIds, config.wordDim(),
                model.tensor(ClipModel.TOKEN_EMBEDDING).data(), tokenVectors);
        textTower.forward(backend, tokenVectors, batch.size(), batch.tokenStart);
        return textTower.output();
    }

    /** The images' embeddings {@code [size, embed_dim]}, valid until the next call. */
    @Override
    public float[] encodeImages(Batch batch) {
        checkCapacity(batch);
        this.batch = batch;
        imageTower.forward(backend, batch.patches, batch.size(), imagePatchStart);
        return imageTower.output();
    }

    /** The logits of the last forward, {@code [n, n]}, rows images, valid until the next call. */
    @Override
    public float[] rowProbabilities() {
        return head.rowProbabilities();
    }

    @Override
    public float[] logits() {
        return head.logits();
    }

    /**
     * The intermediate values of the last {@link #forward} and {@link #backward}, to show a step
     * number by number: the graph's own buffers, valid until the next call.
     */
    public Activations activations() {
        return new Activations(tokenVectors, textTower.hidden(), textTower.pooled(), textTower.output(),
                textTower.dOutput, imageTower.hidden(), imageTower.pooled(), imageTower.output(), imageTower.dOutput,
                head.logits(), head.rowProbabilities(), head.columnProbabilities(), head.rowLogSumExp(),
                head.columnLogSumExp(), head.dLogits());
    }

    /**
     * What a step computes between the inputs and the parameter gradients, row-major, in buffers
     * planned for the largest batch (only the leading rows of the last batch are meaningful):
     * {@code [tokens, ...]} or {@code [patches, ...]} for the encoders' outputs, {@code [n, ...]}
     * per item after pooling, {@code [n, n]} in the head, rows images and columns captions. The
     * {@code d} arrays are gradients of the loss.
     */
    public record Activations(float[] tokenVectors, float[] textHidden, float[] textPooled, float[] textEmbeddings,
                              float[] dTextEmbeddings, float[] imageHidden, float[] imagePooled,
                              float[] imageEmbeddings, float[] dImageEmbeddings, float[] logits,
                              float[] rowSoftmax, float[] columnSoftmax, float[] rowLogSumExp,
                              float[] columnLogSumExp, float[] dLogits) {
    }

    private void checkCapacity(Batch batch) {
        if (batch.size() < 1 || batch.size() > maxBatch) {
            throw new IllegalArgumentException("batch of " + batch.size() + " pairs; this graph takes 1.." + maxBatch);
        }
    }
}
