package dev.clipengine.model;

import dev.clipengine.Rng;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a transformer CLIP under OpenAI's and open_clip's names, so that their
 * {@code load_state_dict(..., strict=True)} takes our files as they are, and open_clip's
 * initialisation of a new model.
 */
public final class TransformerTensors {

    public static final String TOKEN_EMBEDDING = "token_embedding.weight";
    public static final String POSITIONAL_EMBEDDING = "positional_embedding";
    public static final String TEXT_PROJECTION = "text_projection";
    public static final String LN_FINAL = "ln_final";
    public static final String TEXT_BLOCKS = "transformer.resblocks.";
    public static final String CLASS_EMBEDDING = "visual.class_embedding";
    public static final String VISUAL_POSITIONAL_EMBEDDING = "visual.positional_embedding";
    public static final String VISUAL_PROJECTION = "visual.proj";
    public static final String CONV1 = "visual.conv1.weight";
    public static final String LN_PRE = "visual.ln_pre";
    public static final String LN_POST = "visual.ln_post";
    public static final String VISUAL_BLOCKS = "visual.transformer.resblocks.";

    /** Matrices that open_clip keeps out of weight decay besides every tensor of one dimension. */
    public static final Set<String> NO_WEIGHT_DECAY = Set.of(POSITIONAL_EMBEDDING, VISUAL_POSITIONAL_EMBEDDING,
            CLASS_EMBEDDING);

    private TransformerTensors() {
    }

    /** Every parameter's name and shape, in the order OpenAI's state dict lists them. */
    static Map<String, int[]> shapes(TransformerConfig c) {
        TransformerConfig.Vision v = c.vision();
        TransformerConfig.Text t = c.text();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put(POSITIONAL_EMBEDDING, new int[] {t.contextLength(), t.width()});
        shapes.put(TEXT_PROJECTION, new int[] {t.width(), c.embedDim()});
        shapes.put(ClipModel.LOGIT_SCALE, new int[] {});
        shapes.put(CLASS_EMBEDDING, new int[] {v.width()});
        shapes.put(VISUAL_POSITIONAL_EMBEDDING, new int[] {v.tokens(), v.width()});
        shapes.put(VISUAL_PROJECTION, new int[] {v.width(), c.embedDim()});
        shapes.put(CONV1, new int[] {v.width(), 3, v.patchSize(), v.patchSize()});
        layerNorm(shapes, LN_PRE, v.width());
        for (int l = 0; l < v.layers(); l++) {
            block(shapes, VISUAL_BLOCKS + l + ".", v.width(), v.mlpWidth());
        }
        layerNorm(shapes, LN_POST, v.width());
        for (int l = 0; l < t.layers(); l++) {
            block(shapes, TEXT_BLOCKS + l + ".", t.width(), t.mlpWidth());
        }
        shapes.put(TOKEN_EMBEDDING, new int[] {t.vocabSize(), t.width()});
        layerNorm(shapes, LN_FINAL, t.width());
        return shapes;
    }

    private static void block(Map<String, int[]> shapes, String prefix, int width, int mlpWidth) {
        shapes.put(prefix + "attn.in_proj_weight", new int[] {3 * width, width});
        shapes.put(prefix + "attn.in_proj_bias", new int[] {3 * width});
        shapes.put(prefix + "attn.out_proj.weight", new int[] {width, width});
        shapes.put(prefix + "attn.out_proj.bias", new int[] {width});
        layerNorm(shapes, prefix + "ln_1", width);
        shapes.put(prefix + "mlp.c_fc.weight", new int[] {mlpWidth, width});
        shapes.put(prefix + "mlp.c_fc.bias", new int[] {mlpWidth});
        shapes.put(prefix + "mlp.c_proj.weight", new int[] {width, mlpWidth});
        shapes.put(prefix + "mlp.c_proj.bias", new int[] {width});
        layerNorm(shapes, prefix + "ln_2", width);
    }

    private static void layerNorm(Map<String, int[]> shapes, String prefix, int width) {
        shapes.put(prefix + ".weight", new int[] {width});
        shapes.put(prefix + ".bias", new int[] {width});
    }

    /**
     * open_clip's initialisation. Text tower: token embedding N(0, 0.02), positions N(0, 0.01),
     * {@code in_proj} N(0, W^-1/2), {@code out_proj} and {@code c_proj} N(0, W^-1/2 (2L)^-1/2),
     * {@code c_fc} N(0, (2W)^-1/2), projection N(0, W^-1/2). Image tower: class token, positions
     * and projection {@code W^-1/2} N(0, 1); its blocks and patch embedding keep PyTorch's
     * defaults (Xavier-uniform {@code in_proj}, Kaiming-uniform elsewhere). Biases: zero for the
     * attention's (as PyTorch's MultiheadAttention sets them), PyTorch's uniform(+-1/sqrt(fan_in))
     * for the MLPs'. LayerNorm weights 1, biases 0; {@code logit_scale} ln(1/0.07).
     */
    static void initialize(TransformerConfig c, Map<String, Tensor> named, Rng rng) {
        TransformerConfig.Vision v = c.vision();
        TransformerConfig.Text t = c.text();
        normal(named.get(TOKEN_EMBEDDING), 0.02, rng);
        normal(named.get(POSITIONAL_EMBEDDING), 0.01, rng);
        double attnStd = Math.pow(t.width(), -0.5);
        double projStd = attnStd * Math.pow(2.0 * t.layers(), -0.5);
        double fcStd = Math.pow(2.0 * t.width(), -0.5);
        for (int l = 0; l < t.layers(); l++) {
            String p = TEXT_BLOCKS + l + ".";
            normal(named.get(p + "attn.in_proj_weight"), attnStd, rng);
            normal(named.get(p + "attn.out_proj.weight"), projStd, rng);
            normal(named.get(p + "mlp.c_fc.weight"), fcStd, rng);
            uniform(named.get(p + "mlp.c_fc.bias"), 1 / Math.sqrt(t.width()), rng);
            normal(named.get(p + "mlp.c_proj.weight"), projStd, rng);
            uniform(named.get(p + "mlp.c_proj.bias"), 1 / Math.sqrt(t.mlpWidth()), rng);
            layerNormDefaults(named, p + "ln_1");
            layerNormDefaults(named, p + "ln_2");
        }
        normal(named.get(TEXT_PROJECTION), attnStd, rng);
        layerNormDefaults(named, LN_FINAL);

        double scale = Math.pow(v.width(), -0.5);
        uniform(named.get(CONV1), 1 / Math.sqrt(3.0 * v.patchSize() * v.patchSize()), rng);
        normal(named.get(CLASS_EMBEDDING), scale, rng);
        normal(named.get(VISUAL_POSITIONAL_EMBEDDING), scale, rng);
        layerNormDefaults(named, LN_PRE);
        for (int l = 0; l < v.layers(); l++) {
            String p = VISUAL_BLOCKS + l + ".";
            uniform(named.get(p + "attn.in_proj_weight"), Math.sqrt(6.0 / (v.width() + 3.0 * v.width())), rng);
            uniform(named.get(p + "attn.out_proj.weight"), 1 / Math.sqrt(v.width()), rng);
            uniform(named.get(p + "mlp.c_fc.weight"), 1 / Math.sqrt(v.width()), rng);
            uniform(named.get(p + "mlp.c_fc.bias"), 1 / Math.sqrt(v.width()), rng);
            uniform(named.get(p + "mlp.c_proj.weight"), 1 / Math.sqrt(v.mlpWidth()), rng);
            uniform(named.get(p + "mlp.c_proj.bias"), 1 / Math.sqrt(v.mlpWidth()), rng);
            layerNormDefaults(named, p + "ln_1");
            layerNormDefaults(named, p + "ln_2");
        }
        layerNormDefaults(named, LN_POST);
        normal(named.get(VISUAL_PROJECTION), scale, rng);
        named.get(ClipModel.LOGIT_SCALE).data()[0] = (float) ClipModel.INITIAL_LOGIT_SCALE;
    }

    private static void normal(Tensor tensor, double std, Rng rng) {
        float[] data = tensor.data();
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (std * rng.nextGaussian());
        }
    }

    private static void uniform(Tensor tensor, double bound, Rng rng) {
        float[] data = tensor.data();
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
    }

    private static void layerNormDefaults(Map<String, Tensor> named, String prefix) {
        java.util.Arrays.fill(named.get(prefix + ".weight").data(), 1f);
        java.util.Arrays.fill(named.get(prefix + ".bias").data(), 0f);
    }
}
