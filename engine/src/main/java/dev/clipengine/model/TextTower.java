package dev.clipengine.model;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;

import java.util.Arrays;

/**
 * OpenAI CLIP's text encoder: token embeddings plus positional embeddings, causal blocks (a
 * position sees itself and those before it), and the row of the end-of-text token pooled: the
 * position of the largest id in the caption, the first if it occurs twice, as {@code argmax}.
 * Every caption fills the whole context, padded after its end.
 */
final class TextTower extends TransformerTower {

    private final float[] tokenEmbedding;
    private final float[] positional;
    private final float[] dTokenEmbedding;
    private final float[] dPositional;
    private int[] tokenIds;

    TextTower(ClipModel model, Gradients gradients, TransformerConfig config, int maxItems) {
        super(model, gradients, TransformerTensors.TEXT_BLOCKS, config.text().layers(), maxItems,
                config.text().contextLength(), config.text().width(), config.text().heads(), true,
                config.quickGelu() ? Activation.QUICK_GELU : Activation.GELU, TransformerTensors.LN_FINAL,
                TransformerTensors.TEXT_PROJECTION, config.embedDim());
        this.tokenEmbedding = model.tensor(TransformerTensors.TOKEN_EMBEDDING).data();
        this.positional = model.tensor(TransformerTensors.POSITIONAL_EMBEDDING).data();
        this.dTokenEmbedding = gradients.data(TransformerTensors.TOKEN_EMBEDDING);
        this.dPositional = gradients.data(TransformerTensors.POSITIONAL_EMBEDDING);
    }

    /** Encodes {@code items} captions of {@code length} ids each, back to back in tokenIds. */
    void forward(Backend backend, int[] tokenIds, int items) {
        this.tokenIds = tokenIds;
        backend.gather(items * length, tokenIds, width, tokenEmbedding, streams[0]);
        backend.addBias(items, length * width, streams[0], positional);
        encode(backend, items);
    }

    @Override
    int pooledPosition(int k) {
        int start = k * length;
        int end = 0;
        for (int t = 1; t < length; t++) {
            if (tokenIds[start + t] > tokenIds[start + end]) {
                end = t;
            }
        }
        return end;
    }

    void backward(Backend backend) {
        backwardThroughBlocks(backend);
        backend.biasBackward(items, length * width, dStream, dPositional);
        Arrays.fill(dTokenEmbedding, 0f);
        backend.scatterAdd(items * length, tokenIds, width, dStream, dTokenEmbedding);
    }
}
