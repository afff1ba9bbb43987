package dev.clipengine.model;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;

import java.util.Arrays;

/**
 * OpenAI CLIP's {@code VisionTransformer}: every patch times {@code conv1} (a P x P convolution
 * of stride P is exactly that), the class token in front, positional embeddings added,
 * {@code ln_pre}, the blocks, and the class token's row pooled.
 *
 * <p>The patch product runs over {@code tokens} rows per image whose first row is zero, so one
 * product fills the whole stream with the class token's row left 0; the class embedding is then
 * added to position 0 with the positional embeddings, in one pass.
 */
final class VisionTower extends TransformerTower {

    private final int patchDim;
    private final int patches;
    private final float[] conv1;
    private final float[] classEmbedding;
    private final float[] positional;
    private final float[] lnPreWeight;
    private final float[] lnPreBias;
    private final float[] dConv1;
    private final float[] dClassEmbedding;
    private final float[] dPositional;
    private final float[] dLnPreWeight;
    private final float[] dLnPreBias;

    private final float[] patchRows;      // [items * tokens, patchDim], each image's first row 0
    private final float[] embedded;       // [rows, width], before ln_pre
    private final float[] classAndPositions; // [tokens, width]
    private final float[] preMean;
    private final float[] preRstd;
    private final float[] dEmbedded;

    VisionTower(ClipModel model, Gradients gradients, TransformerConfig config, int maxItems) {
        super(model, gradients, TransformerTensors.VISUAL_BLOCKS, config.vision().layers(), maxItems,
                config.vision().tokens(), config.vision().width(), config.vision().heads(), false,
                config.quickGelu() ? Activation.QUICK_GELU : Activation.GELU, TransformerTensors.LN_POST,
                TransformerTensors.VISUAL_PROJECTION, config.embedDim());
        this.patchDim = config.patchDim();
        this.patches = config.patchesPerImage();
        this.conv1 = model.tensor(TransformerTensors.CONV1).data();
        this.classEmbedding = model.tensor(TransformerTensors.CLASS_EMBEDDING).data();
        this.positional = model.tensor(TransformerTensors.VISUAL_POSITIONAL_EMBEDDING).data();
        this.lnPreWeight = model.tensor(TransformerTensors.LN_PRE + ".weight").data();
        this.lnPreBias = model.tensor(TransformerTensors.LN_PRE + ".bias").data();
        this.dConv1 = gradients.data(TransformerTensors.CONV1);
        this.dClassEmbedding = gradients.data(TransformerTensors.CLASS_EMBEDDING);
        this.dPositional = gradients.data(TransformerTensors.VISUAL_POSITIONAL_EMBEDDING);
        this.dLnPreWeight = gradients.data(TransformerTensors.LN_PRE + ".weight");
        this.dLnPreBias = gradients.data(TransformerTensors.LN_PRE + ".bias");
        int maxRows = Math.multiplyExact(maxItems, length);
        this.patchRows = new float[Math.multiplyExact(maxRows, patchDim)];
        this.embedded = new float[Math.multiplyExact(maxRows, width)];
        this.classAndPositions = new float[length * width];
        this.preMean = new float[maxRows];
        this.preRstd = new float[maxRows];
        this.dEmbedded = new float[gradients.present() ? embedded.length : 0];
    }

    /** Encodes {@code items} images given as patches {@code [items * patches, patchDim]}. */
    void forward(Backend backend, float[] imagePatches, int items) {
        int rows = items * length;
        for (int k = 0; k < items; k++) {
            System.arraycopy(imagePatches, k * patches * patchDim, patchRows, (k * length + 1) * patchDim,
                    patches * patchDim);
        }
        backend.sgemm(false, true, rows, width, patchDim, 1f, patchRows, 0, patchDim, conv1, 0, patchDim, 0f,
                embedded, 0, width);
        System.arraycopy(positional, 0, classAndPositions, 0, classAndPositions.length);
        for (int c = 0; c < width; c++) {
            classAndPositions[c] += classEmbedding[c];
        }
        // every image's tokens at once: a row of length * width per image
        backend.addBias(items, length * width, embedded, classAndPositions);
        backend.layerNorm(rows, width, embedded, lnPreWeight, lnPreBias, stream(0), preMean, preRstd);
        encode(backend, items, length);
    }

    @Override
    int pooledPosition(int k) {
        return 0;
    }

    void backward(Backend backend) {
        backwardThroughBlocks(backend);
        int rows = items * length;
        Arrays.fill(dEmbedded, 0, rows * width, 0f);
        backend.layerNormBackward(rows, width, embedded, lnPreWeight, preMean, preRstd, dStream, dEmbedded,
                dLnPreWeight, dLnPreBias);
        backend.biasBackward(items, length * width, dEmbedded, dPositional);
        System.arraycopy(dPositional, 0, dClassEmbedding, 0, width);
        backend.sgemm(true, false, width, patchDim, rows, 1f, dEmbedded, 0, width, patchRows, 0, patchDim, 0f,
                dConv1, 0, patchDim);
    }
}
