package dev.clipengine.io;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.TransformerTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of Hugging Face's {@code CLIPModel} and ours (OpenAI's names), both ways. Most are
 * renamed; the two projections are stored transposed ({@code [E, W]} against OpenAI's
 * {@code [W, E]}); and the attention's query, key and value are three tensors where OpenAI has
 * them as the three row blocks of {@code in_proj_weight} and {@code in_proj_bias}.
 */
final class HuggingFaceNames {

    private static final String VISION = "vision_model.";
    private static final String TEXT = "text_model.";
    private static final String[][] BLOCK_RENAMES = {
            {"ln_1", "layer_norm1"}, {"ln_2", "layer_norm2"}, {"attn.out_proj", "self_attn.out_proj"},
            {"mlp.c_fc", "mlp.fc1"}, {"mlp.c_proj", "mlp.fc2"}};
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    private HuggingFaceNames() {
    }

    /** Our name for each Hugging Face tensor that is only renamed. */
    private static Map<String, String> renames(TransformerConfig config) {
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put(VISION + "embeddings.patch_embedding.weight", TransformerTensors.CONV1);
        ours.put(VISION + "embeddings.class_embedding", TransformerTensors.CLASS_EMBEDDING);
        ours.put(VISION + "embeddings.position_embedding.weight", TransformerTensors.VISUAL_POSITIONAL_EMBEDDING);
        layerNorm(ours, VISION + "pre_layrnorm", TransformerTensors.LN_PRE);
        for (int l = 0; l < config.vision().layers(); l++) {
            block(ours, VISION + "encoder.layers." + l + ".", TransformerTensors.VISUAL_BLOCKS + l + ".");
        }
        layerNorm(ours, VISION + "post_layernorm", TransformerTensors.LN_POST);
        ours.put(TEXT + "embeddings.token_embedding.weight", TransformerTensors.TOKEN_EMBEDDING);
        ours.put(TEXT + "embeddings.position_embedding.weight", TransformerTensors.POSITIONAL_EMBEDDING);
        for (int l = 0; l < config.text().layers(); l++) {
            block(ours, TEXT + "encoder.layers." + l + ".", TransformerTensors.TEXT_BLOCKS + l + ".");
        }
        layerNorm(ours, TEXT + "final_layer_norm", TransformerTensors.LN_FINAL);
        ours.put(ClipModel.LOGIT_SCALE, ClipModel.LOGIT_SCALE);
        return ours;
    }

    /** Our name for each transposed projection. */
    private static Map<String, String> transposed() {
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("visual_projection.weight", TransformerTensors.VISUAL_PROJECTION);
        ours.put("text_projection.weight", TransformerTensors.TEXT_PROJECTION);
        return ours;
    }

    /** Every block's attention: the prefix of the three Hugging Face projections and ours. */
    private static Map<String, String> attentions(TransformerConfig config) {
        Map<String, String> ours = new LinkedHashMap<>();
        for (int l = 0; l < config.vision().layers(); l++) {
            ours.put(VISION + "encoder.layers." + l + ".self_attn.", TransformerTensors.VISUAL_BLOCKS + l + ".attn.");
        }
        for (int l = 0; l < config.text().layers(); l++) {
            ours.put(TEXT + "encoder.layers." + l + ".self_attn.", TransformerTensors.TEXT_BLOCKS + l + ".attn.");
        }
        return ours;
    }

    /**
     * Our tensors from Hugging Face's. Buffers ({@code position_ids}) are ignored; any other
     * tensor not of the model is refused by name, as is one missing or of the wrong shape.
     */
    static Map<String, Tensor> toOurs(Map<String, Tensor> hf, TransformerConfig config, String source) {
        Map<String, int[]> shapes = config.tensorShapes();
        Set<String> unused = new LinkedHashSet<>(hf.keySet());
        unused.removeIf(name -> name.endsWith("position_ids"));
        Map<String, Tensor> ours = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : renames(config).entrySet()) {
            Tensor t = take(hf, unused, e.getKey(), source);
            if (!e.getValue().equals(ClipModel.LOGIT_SCALE)) {
                requireShape(t, shapes.get(e.getValue()), source);
            }
            ours.put(e.getValue(), new Tensor(e.getValue(), t.shape(), t.data()));
        }
        for (Map.Entry<String, String> e : transposed().entrySet()) {
            Tensor t = take(hf, unused, e.getKey(), source);
            int[] expected = shapes.get(e.getValue());
            requireShape(t, new int[] {expected[1], expected[0]}, source);
            ours.put(e.getValue(), new Tensor(e.getValue(), expected, transpose(t.data(), expected[1], expected[0])));
        }
        for (Map.Entry<String, String> e : attentions(config).entrySet()) {
            for (String kind : new String[] {"weight", "bias"}) {
                String name = e.getValue() + "in_proj_" + kind;
                int[] shape = shapes.get(name);
                int block = Tensor.size(shape) > Integer.MAX_VALUE ? 0 : (int) (Tensor.size(shape) / 3);
                float[] data = new float[block * 3];
                for (int i = 0; i < 3; i++) {
                    Tensor part = take(hf, unused, e.getKey() + QKV[i] + "." + kind, source);
                    int[] partShape = shape.clone();
                    partShape[0] /= 3;
                    requireShape(part, partShape, source);
                    System.arraycopy(part.data(), 0, data, i * block, block);
                }
                ours.put(name, new Tensor(name, shape, data));
            }
        }
        if (!unused.isEmpty()) {
            throw new BadInputException(source + ": unexpected tensor " + unused.iterator().next() + " (not part of "
                    + "a CLIPModel of this config" + (unused.size() > 1 ? ", nor are " + (unused.size() - 1) + " more"
                    : "") + ")");
        }
        return ours;
    }

    /** Hugging Face's tensors from our model, in the order {@code CLIPModel.state_dict()} lists them. */
    static List<Tensor> toHuggingFace(ClipModel model) {
        TransformerConfig config = (TransformerConfig) model.config();
        Map<String, Tensor> ours = new LinkedHashMap<>();
        for (Tensor t : model.tensors()) {
            ours.put(t.name(), t);
        }
        List<Tensor> hf = new ArrayList<>();
        for (Map.Entry<String, String> e : renames(config).entrySet()) {
            Tensor t = ours.get(e.getValue());
            hf.add(new Tensor(e.getKey(), t.shape(), t.data()));
        }
        for (Map.Entry<String, String> e : attentions(config).entrySet()) {
            for (String kind : new String[] {"weight", "bias"}) {
                Tensor packed = ours.get(e.getValue() + "in_proj_" + kind);
                int[] shape = packed.shape().clone();
                shape[0] /= 3;
                int block = packed.size() / 3;
                for (int i = 0; i < 3; i++) {
                    hf.add(new Tensor(e.getKey() + QKV[i] + "." + kind, shape,
                            Arrays.copyOfRange(packed.data(), i * block, (i + 1) * block)));
                }
            }
        }
        for (Map.Entry<String, String> e : transposed().entrySet()) {
            Tensor t = ours.get(e.getValue());
            hf.add(new Tensor(e.getKey(), new int[] {t.dim(1), t.dim(0)}, transpose(t.data(), t.dim(0), t.dim(1))));
        }
        return hf;
    }

    private static Tensor take(Map<String, Tensor> hf, Set<String> unused, String name, String source) {
        Tensor t = hf.get(name);
        if (t == null) {
            throw new BadInputException(source + ": the tensor " + name + " is missing");
        }
        unused.remove(name);
        return t;
    }

    private static void requireShape(Tensor t, int[] expected, String source) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new BadInputException(source + ": the tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                    + " but the config needs " + Arrays.toString(expected));
        }
    }

    /** The {@code rows x cols} row-major matrix as {@code cols x rows}. */
    private static float[] transpose(float[] data, int rows, int cols) {
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return out;
    }

    private static void layerNorm(Map<String, String> ours, String hf, String openAi) {
        ours.put(hf + ".weight", openAi + ".weight");
        ours.put(hf + ".bias", openAi + ".bias");
    }

    private static void block(Map<String, String> ours, String hf, String openAi) {
        for (String[] rename : BLOCK_RENAMES) {
            ours.put(hf + rename[1] + ".weight", openAi + rename[0] + ".weight");
            ours.put(hf + rename[1] + ".bias", openAi + rename[0] + ".bias");
        }
    }
}
