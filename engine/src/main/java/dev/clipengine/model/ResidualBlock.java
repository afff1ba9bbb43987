package dev.clipengine.model;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;

/**
 * One pre-norm transformer block, OpenAI CLIP's {@code ResidualAttentionBlock}:
 * <pre>
 *   x_mid = x     + out_proj(attention(in_proj(ln_1(x))))
 *   x_out = x_mid + c_proj(act(c_fc(ln_2(x_mid))))
 * </pre>
 * over {@code sequences} sequences of {@code length} tokens. The forward pass keeps what the
 * backward pass needs in buffers planned for the largest batch; the backward pass runs the same
 * steps in reverse, the residual stream's gradient flowing through unchanged and every branch's
 * gradient added onto it.
 */
final class ResidualBlock {

    private final int width;
    private final int heads;
    private final int mlpWidth;
    private final boolean causal;
    private final Activation activation;

    private final float[] ln1Weight;
    private final float[] ln1Bias;
    private final float[] inProjWeight;
    private final float[] inProjBias;
    private final float[] outProjWeight;
    private final float[] outProjBias;
    private final float[] ln2Weight;
    private final float[] ln2Bias;
    private final float[] fcWeight;
    private final float[] fcBias;
    private final float[] projWeight;
    private final float[] projBias;

    private final float[] dLn1Weight;
    private final float[] dLn1Bias;
    private final float[] dInProjWeight;
    private final float[] dInProjBias;
    private final float[] dOutProjWeight;
    private final float[] dOutProjBias;
    private final float[] dLn2Weight;
    private final float[] dLn2Bias;
    private final float[] dFcWeight;
    private final float[] dFcBias;
    private final float[] dProjWeight;
    private final float[] dProjBias;

    /** What the forward pass keeps for the backward pass (shared by every block when nothing trains). */
    private final Activations kept;

    private int sequences;
    private int length;

    ResidualBlock(ClipModel model, Gradients gradients, String prefix, Activations kept, int width, int heads,
                  boolean causal, Activation activation) {
        this.width = width;
        this.heads = heads;
        this.causal = causal;
        this.activation = activation;
        this.ln1Weight = model.tensor(prefix + "ln_1.weight").data();
        this.ln1Bias = model.tensor(prefix + "ln_1.bias").data();
        this.inProjWeight = model.tensor(prefix + "attn.in_proj_weight").data();
        this.inProjBias = model.tensor(prefix + "attn.in_proj_bias").data();
        this.outProjWeight = model.tensor(prefix + "attn.out_proj.weight").data();
        this.outProjBias = model.tensor(prefix + "attn.out_proj.bias").data();
        this.ln2Weight = model.tensor(prefix + "ln_2.weight").data();
        this.ln2Bias = model.tensor(prefix + "ln_2.bias").data();
        this.fcWeight = model.tensor(prefix + "mlp.c_fc.weight").data();
        this.fcBias = model.tensor(prefix + "mlp.c_fc.bias").data();
        this.projWeight = model.tensor(prefix + "mlp.c_proj.weight").data();
        this.projBias = model.tensor(prefix + "mlp.c_proj.bias").data();
        this.mlpWidth = fcBias.length;
        this.dLn1Weight = gradients.data(prefix + "ln_1.weight");
        this.dLn1Bias = gradients.data(prefix + "ln_1.bias");
        this.dInProjWeight = gradients.data(prefix + "attn.in_proj_weight");
        this.dInProjBias = gradients.data(prefix + "attn.in_proj_bias");
        this.dOutProjWeight = gradients.data(prefix + "attn.out_proj.weight");
        this.dOutProjBias = gradients.data(prefix + "attn.out_proj.bias");
        this.dLn2Weight = gradients.data(prefix + "ln_2.weight");
        this.dLn2Bias = gradients.data(prefix + "ln_2.bias");
        this.dFcWeight = gradients.data(prefix + "mlp.c_fc.weight");
        this.dFcBias = gradients.data(prefix + "mlp.c_fc.bias");
        this.dProjWeight = gradients.data(prefix + "mlp.c_proj.weight");
        this.dProjBias = gradients.data(prefix + "mlp.c_proj.bias");
        this.kept = kept;
    }

    /**
     * A block's intermediate values for up to {@code maxSequences} sequences of {@code maxLength}:
     * each block keeps its own for the backward pass; encoding without gradients gives every block
     * the same, since a block's values are dead once the next block has run.
     */
    static final class Activations {
        final float[] ln1;      // [rows, width]
        final float[] mean1;
        final float[] rstd1;
        final float[] qkv;      // [rows, 3 width]
        final float[] probs;    // [sequences, heads, length, length]
        final float[] attended; // [rows, width]
        final float[] middle;   // [rows, width], the stream between the two branches
        final float[] ln2;
        final float[] mean2;
        final float[] rstd2;
        final float[] hidden;   // [rows, mlpWidth], c_fc's output before the activation
        final float[] activated;

        Activations(int maxSequences, int maxLength, int width, int heads, int mlpWidth) {
            int rows = Math.multiplyExact(maxSequences, maxLength);
            ln1 = new float[Math.multiplyExact(rows, width)];
            mean1 = new float[rows];
            rstd1 = new float[rows];
            qkv = new float[Math.multiplyExact(rows, 3 * width)];
            probs = new float[Math.multiplyExact(Math.multiplyExact(maxSequences, heads), maxLength * maxLength)];
            attended = new float[ln1.length];
            middle = new float[ln1.length];
            ln2 = new float[ln1.length];
            mean2 = new float[rows];
            rstd2 = new float[rows];
            hidden = new float[Math.multiplyExact(rows, mlpWidth)];
            activated = new float[hidden.length];
        }
    }

    /** Scratch the backward pass of every block of a tower shares, for up to maxRows rows. */
    static final class Scratch {
        final float[] dNormed;
        final float[] dQkv;
        final float[] dAttended;
        final float[] dHidden;

        Scratch(int maxRows, int width, int mlpWidth) {
            dNormed = new float[Math.multiplyExact(maxRows, width)];
            dQkv = new float[Math.multiplyExact(maxRows, 3 * width)];
            dAttended = new float[dNormed.length];
            dHidden = new float[Math.multiplyExact(maxRows, mlpWidth)];
        }
    }

    /**
     * x_out = block(x) for the first {@code sequences} sequences of {@code length} tokens (at most
     * the length the block was planned for); x must stay unchanged until {@link #backward}.
     */
    void forward(Backend backend, int sequences, int length, float[] x, float[] out) {
        this.sequences = sequences;
        this.length = length;
        int rows = sequences * length;
        int headWidth = width / heads;
        backend.layerNorm(rows, width, x, ln1Weight, ln1Bias, kept.ln1, kept.mean1, kept.rstd1);
        Linear.forward(backend, rows, width, 3 * width, kept.ln1, inProjWeight, inProjBias, kept.qkv);
        backend.attention(sequences, length, heads, headWidth, causal, kept.qkv, kept.probs, kept.attended);
        System.arraycopy(x, 0, kept.middle, 0, rows * width);
        Linear.addForward(backend, rows, width, width, kept.attended, outProjWeight, outProjBias, kept.middle);

        backend.layerNorm(rows, width, kept.middle, ln2Weight, ln2Bias, kept.ln2, kept.mean2, kept.rstd2);
        Linear.forward(backend, rows, width, mlpWidth, kept.ln2, fcWeight, fcBias, kept.hidden);
        backend.activation(activation, rows * mlpWidth, kept.hidden, kept.activated);
        System.arraycopy(kept.middle, 0, out, 0, rows * width);
        Linear.addForward(backend, rows, mlpWidth, width, kept.activated, projWeight, projBias, out);
    }

    /**
     * Given dx, the gradient w.r.t. the last forward's output, overwrites this block's parameter
     * gradients and turns dx into the gradient w.r.t. its input x.
     */
    void backward(Backend backend, float[] x, float[] dx, Scratch scratch) {
        int rows = sequences * length;
        int headWidth = width / heads;
        // out = kept.middle + c_proj(act(c_fc(ln_2(kept.middle))))
        Linear.backward(backend, rows, mlpWidth, width, kept.activated, projWeight, dx, dProjWeight, dProjBias,
                scratch.dHidden);
        backend.activationBackward(activation, rows * mlpWidth, kept.hidden, scratch.dHidden, scratch.dHidden);
        Linear.backward(backend, rows, width, mlpWidth, kept.ln2, fcWeight, scratch.dHidden, dFcWeight, dFcBias,
                scratch.dNormed);
        backend.layerNormBackward(rows, width, kept.middle, ln2Weight, kept.mean2, kept.rstd2, scratch.dNormed, dx, dLn2Weight,
                dLn2Bias);
        // kept.middle = x + out_proj(attention(in_proj(ln_1(x))))
        Linear.backward(backend, rows, width, width, kept.attended, outProjWeight, dx, dOutProjWeight, dOutProjBias,
                scratch.dAttended);
        backend.attentionBackward(sequences, length, heads, headWidth, causal, kept.qkv, kept.probs, scratch.dAttended,
                scratch.dQkv);
        Linear.backward(backend, rows, width, 3 * width, kept.ln1, inProjWeight, scratch.dQkv, dInProjWeight, dInProjBias,
                scratch.dNormed);
        backend.layerNormBackward(rows, width, x, ln1Weight, kept.mean1, kept.rstd1, scratch.dNormed, dx, dLn1Weight,
                dLn1Bias);
    }

    int mlpWidth() {
        return mlpWidth;
    }
}
