package dev.clipengine.model;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;

import java.util.Arrays;

/**
 * OpenAI CLIP's text encoder: token embeddings plus positional embeddings, causal blocks (a
 * position sees itself and those before it), and the row of the end-of-text token pooled: the
 * position of the largest id in the caption, the first if it occurs twice, as {@code argmax}.
 * Every caption fills the whole context, padded after its end; positions after the last end of
 * text in a batch are skipped, since under the causal mask they change nothing that is pooled.
 */
final class TextTower extends TransformerTower {

    private final float[] tokenEmbedding;
    private final float[] positional;
    private final float[] dTokenEmbedding;
    private final float[] dPositional;
    /** Each caption's ids up to the batch's latest end of text, {@code [items * tokens]}. */
    private final int[] ids;
    private final int[] ends;

    TextTower(ClipModel model, Gradients gradients, TransformerConfig config, int maxItems) {
        super(model, gradients, TransformerTensors.TEXT_BLOCKS, config.text().layers(), maxItems,
                config.text().contextLength(), config.text().width(), config.text().heads(), true,
                config.quickGelu() ? Activation.QUICK_GELU : Activation.GELU, TransformerTensors.LN_FINAL,
                TransformerTensors.TEXT_PROJECTION, config.embedDim());
        this.tokenEmbedding = model.tensor(TransformerTensors.TOKEN_EMBEDDING).data();
        this.positional = model.tensor(TransformerTensors.POSITIONAL_EMBEDDING).data();
        this.dTokenEmbedding = gradients.data(TransformerTensors.TOKEN_EMBEDDING);
        this.dPositional = gradients.data(TransformerTensors.POSITIONAL_EMBEDDING);
        this.ids = new int[Math.multiplyExact(maxItems, length)];
        this.ends = new int[maxItems];
    }

    /** Encodes {@code items} captions of {@code length} ids each, back to back in tokenIds. */
    void forward(Backend backend, int[] tokenIds, int items) {
        int tokens = 1;
        for (int k = 0; k < items; k++) {
            int start = k * length;
            int end = 0;
            for (int t = 1; t < length; t++) {
                if (tokenIds[start + t] > tokenIds[start + end]) {
                    end = t;
                }
            }
            ends[k] = end;
            tokens = Math.max(tokens, end + 1);
        }
        for (int k = 0; k < items; k++) {
            System.arraycopy(tokenIds, k * length, ids, k * tokens, tokens);
        }
        backend.gather(items * tokens, ids, width, tokenEmbedding, stream(0));
        // the first tokens rows of the positional embedding: one row of tokens * width per caption
        backend.addBias(items, tokens * width, stream(0), positional);
        encode(backend, items, tokens);
    }

    @Override
    int pooledPosition(int k) {
        return ends[k];
    }

    void backward(Backend backend) {
        backwardThroughBlocks(backend);
        // positions past every caption's end had no effect: their gradient is 0
        backend.biasBackward(items, tokens * width, dStream, dPositional);
        Arrays.fill(dPositional, tokens * width, dPositional.length, 0f);
        Arrays.fill(dTokenEmbedding, 0f);
        backend.scatterAdd(items * tokens, ids, width, dStream, dTokenEmbedding);
    }
}
