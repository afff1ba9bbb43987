package dev.clipengine.model;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;

import java.util.Arrays;

/**
 * What the two towers of a transformer CLIP share: a stack of {@link ResidualBlock}s over
 * sequences of {@code length} tokens, then one token per sequence picked out (the class token or
 * the end of text), its LayerNorm, the projection {@code [width, embed]} into the shared space
 * (no bias), and the L2 normalisation. Subclasses turn their input into the first stream and
 * send its gradient back into their embeddings.
 */
abstract class TransformerTower {

    /** Tokens per sequence at most: the buffers' stride is the length of the current call. */
    final int length;
    final int width;
    final int embedDim;
    private final ResidualBlock[] blocks;
    private final ResidualBlock.Scratch scratch;

    /**
     * {@code stream(l)} enters block l; {@code stream(layers)} leaves the stack. Each
     * {@code [rows, width]}. Training keeps every one for the backward pass; encoding alone
     * alternates between two.
     */
    private final float[][] streams;
    /** The gradient w.r.t. a stream, turned block by block into that of the one before. */
    final float[] dStream;

    private final float[] lnWeight;
    private final float[] lnBias;
    private final float[] projection;
    private final float[] dLnWeight;
    private final float[] dLnBias;
    private final float[] dProjection;

    private final int[] pooledRows;
    private final float[] pooled;     // [items, width]
    private final float[] pooledMean;
    private final float[] pooledRstd;
    private final float[] normed;     // [items, width], after the final LayerNorm
    private final float[] features;   // [items, embed], before normalisation
    private final float[] embeddings; // [items, embed], unit length
    private final float[] norms;
    /** The gradient of the loss w.r.t. {@link #output()}, written by the head. */
    final float[] dOutput;
    private final float[] dFeatures;
    private final float[] dNormed;
    private final float[] dPooled;

    int items;
    /** Tokens per sequence in the current call: the planned length, or fewer for captions that end early. */
    int tokens;

    TransformerTower(ClipModel model, Gradients gradients, String blockPrefix, int layers, int maxItems, int length,
                     int width, int heads, boolean causal, Activation activation, String finalNorm,
                     String projectionName, int embedDim) {
        this.length = length;
        this.width = width;
        this.embedDim = embedDim;
        boolean training = gradients.present();
        int maxRows = Math.multiplyExact(maxItems, length);
        int mlpWidth = layers > 0 ? model.tensor(blockPrefix + "0.mlp.c_fc.bias").size() : 1;
        // encoding alone needs one block's intermediate values at a time: every block shares them
        ResidualBlock.Activations shared = training ? null
                : new ResidualBlock.Activations(maxItems, length, width, heads, mlpWidth);
        this.blocks = new ResidualBlock[layers];
        for (int l = 0; l < layers; l++) {
            blocks[l] = new ResidualBlock(model, gradients, blockPrefix + l + ".", training
                    ? new ResidualBlock.Activations(maxItems, length, width, heads, mlpWidth) : shared, width, heads,
                    causal, activation);
        }
        this.scratch = training ? new ResidualBlock.Scratch(maxRows, width, mlpWidth) : null;
        this.streams = new float[training ? layers + 1 : Math.min(2, layers + 1)][Math.multiplyExact(maxRows, width)];
        this.dStream = new float[training ? streams[0].length : 0];
        this.lnWeight = model.tensor(finalNorm + ".weight").data();
        this.lnBias = model.tensor(finalNorm + ".bias").data();
        this.projection = model.tensor(projectionName).data();
        this.dLnWeight = gradients.data(finalNorm + ".weight");
        this.dLnBias = gradients.data(finalNorm + ".bias");
        this.dProjection = gradients.data(projectionName);
        this.pooledRows = new int[maxItems];
        this.pooled = new float[maxItems * width];
        this.pooledMean = new float[maxItems];
        this.pooledRstd = new float[maxItems];
        this.normed = new float[pooled.length];
        this.features = new float[maxItems * embedDim];
        this.embeddings = new float[features.length];
        this.norms = new float[maxItems];
        this.dOutput = new float[features.length];
        this.dFeatures = new float[features.length];
        this.dNormed = new float[pooled.length];
        this.dPooled = new float[pooled.length];
    }

    /**
     * Runs the blocks over {@code streams[0]}, which the subclass has filled for {@code items}
     * sequences of {@code tokens} rows each, and pools row {@code pooledRow(k)} of each sequence k
     * into the embeddings.
     */
    final void encode(Backend backend, int items, int tokens) {
        this.items = items;
        this.tokens = tokens;
        for (int l = 0; l < blocks.length; l++) {
            blocks[l].forward(backend, items, tokens, stream(l), stream(l + 1));
        }
        for (int k = 0; k < items; k++) {
            pooledRows[k] = k * tokens + pooledPosition(k);
        }
        backend.gather(items, pooledRows, width, stream(blocks.length), pooled);
        backend.layerNorm(items, width, pooled, lnWeight, lnBias, normed, pooledMean, pooledRstd);
        backend.sgemm(false, false, items, embedDim, width, 1f, normed, 0, width, projection, 0, embedDim, 0f,
                features, 0, embedDim);
        backend.l2Normalize(items, embedDim, features, embeddings, norms);
    }

    /** The stream that enters block l ({@code l = layers}: the one that leaves the stack). */
    final float[] stream(int l) {
        return streams[l % streams.length];
    }

    /** The position, within sequence k, of the token that stands for it. */
    abstract int pooledPosition(int k);

    /** The unit embeddings of the last forward, {@code [items, embed]}. */
    final float[] output() {
        return embeddings;
    }

    /** The embeddings before normalisation, {@code [items, embed]}. */
    final float[] features() {
        return features;
    }

    /**
     * Back-propagates {@link #dOutput} through the head and every block, overwriting their
     * parameter gradients; leaves the gradient w.r.t. {@code streams[0]} in {@link #dStream}.
     */
    final void backwardThroughBlocks(Backend backend) {
        backend.l2NormalizeBackward(items, embedDim, embeddings, norms, dOutput, dFeatures);
        backend.sgemm(true, false, width, embedDim, items, 1f, normed, 0, width, dFeatures, 0, embedDim, 0f,
                dProjection, 0, embedDim);
        backend.sgemm(false, true, items, width, embedDim, 1f, dFeatures, 0, embedDim, projection, 0, embedDim, 0f,
                dNormed, 0, width);
        Arrays.fill(dPooled, 0, items * width, 0f);
        backend.layerNormBackward(items, width, pooled, lnWeight, pooledMean, pooledRstd, dNormed, dPooled,
                dLnWeight, dLnBias);
        int rows = items * tokens;
        Arrays.fill(dStream, 0, rows * width, 0f);
        backend.scatterAdd(items, pooledRows, width, dPooled, dStream);
        for (int l = blocks.length - 1; l >= 0; l--) {
            blocks[l].backward(backend, stream(l), dStream, scratch);
        }
    }
}
