package dev.clipengine.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.TransformerTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A state dict under OpenAI's and open_clip's names ({@code visual.conv1.weight},
 * {@code transformer.resblocks.0.attn.in_proj_weight}, ...) as a model: our tensor names are
 * theirs, so only the config has to be found (docs/checkpoints.md).
 *
 * <p>The config is inferred from the shapes as OpenAI's {@code build_model} does: widths from
 * {@code visual.conv1.weight} and {@code ln_final.weight}, the patch from the convolution's
 * kernel, layers by counting blocks, the grid from the visual positions, context and vocabulary
 * from the text embeddings, heads of width 64 in both towers. An {@code open_clip_config.json}
 * beside the file wins wherever it says something, and decides the activation: OpenAI's weights
 * (no sidecar) use QuickGELU, open_clip's use GELU unless {@code quick_gelu} is true. Keys of the
 * sidecar that would change the architecture away from this one are refused by name.
 */
public final class OpenAiLayout {

    /** open_clip's hub layout: the config beside {@code open_clip_model.safetensors}. */
    public static final String SIDECAR = "open_clip_config.json";
    /** Scalars OpenAI's JIT archives carry beside the weights; the shapes say the same. */
    private static final Set<String> IGNORED = Set.of("input_resolution", "context_length", "vocab_size",
            "attn_mask");
    private static final Pattern VISUAL_BLOCK = Pattern.compile("visual\\.transformer\\.resblocks\\.(\\d+)\\..*");
    private static final Pattern TEXT_BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\..*");
    private static final int OPENAI_HEAD_WIDTH = 64;

    private OpenAiLayout() {
    }

    /** Whether the tensors are a state dict of this layout (rather than, say, Hugging Face's). */
    public static boolean matches(Map<String, Tensor> tensors) {
        return tensors.containsKey(TransformerTensors.CONV1) || tensors.keySet().stream()
                .anyMatch(name -> name.startsWith("visual."));
    }

    /**
     * The model in {@code tensors}, read from {@code file}; the sidecar beside it, if any, is
     * honoured. Every missing, unexpected or mis-shaped tensor is refused by name.
     */
    public static ClipModel model(Map<String, Tensor> tensors, Path file) {
        Path sidecar = file.toAbsolutePath().getParent().resolve(SIDECAR);
        JsonNode openClip = Files.exists(sidecar) ? JsonFiles.readObject(sidecar) : null;
        Map<String, Tensor> weights = new LinkedHashMap<>(tensors);
        weights.keySet().removeAll(IGNORED);
        TransformerConfig config = config(weights, file.toString(), openClip, sidecar.toString());
        return new ClipModel(config, null, weights, file.toString());
    }

    /** The config OpenAI's {@code build_model} infers, with an open_clip sidecar's settings over it. */
    static TransformerConfig config(Map<String, Tensor> tensors, String source, JsonNode sidecar, String sidecarName) {
        if (tensors.keySet().stream().anyMatch(name -> name.startsWith("visual.layer1."))) {
            throw new BadInputException(source + ": a ResNet image tower (visual.layer1...); only vision transformers "
                    + "(ViT) are supported");
        }
        Tensor conv = need(tensors, TransformerTensors.CONV1, 4, source);
        int visionWidth = conv.dim(0);
        int patch = conv.dim(3);
        int visionTokens = need(tensors, TransformerTensors.VISUAL_POSITIONAL_EMBEDDING, 2, source).dim(0);
        int grid = (int) Math.round(Math.sqrt(visionTokens - 1));
        if (grid * grid + 1 != visionTokens) {
            throw new BadInputException(source + ": " + TransformerTensors.VISUAL_POSITIONAL_EMBEDDING + " has "
                    + visionTokens + " rows, not a square grid of patches plus the class token");
        }
        int visionLayers = countBlocks(tensors, VISUAL_BLOCK, source, "visual.transformer.resblocks");
        int textLayers = countBlocks(tensors, TEXT_BLOCK, source, "transformer.resblocks");
        int textWidth = need(tensors, TransformerTensors.LN_FINAL + ".weight", 1, source).dim(0);
        Tensor tokens = need(tensors, TransformerTensors.TOKEN_EMBEDDING, 2, source);
        int context = need(tensors, TransformerTensors.POSITIONAL_EMBEDDING, 2, source).dim(0);
        int embed = need(tensors, TransformerTensors.TEXT_PROJECTION, 2, source).dim(1);
        double visionMlp = TransformerConfig.mlpRatio(
                need(tensors, "visual.transformer.resblocks.0.mlp.c_fc.weight", 2, source).dim(0), visionWidth);
        double textMlp = TransformerConfig.mlpRatio(
                need(tensors, "transformer.resblocks.0.mlp.c_fc.weight", 2, source).dim(0), textWidth);
        if (visionWidth % OPENAI_HEAD_WIDTH != 0 || textWidth % OPENAI_HEAD_WIDTH != 0) {
            if (sidecar == null) {
                throw new BadInputException(source + ": widths " + visionWidth + " and " + textWidth
                        + " are not multiples of 64, so the heads cannot be inferred; put open_clip's "
                        + SIDECAR + " beside the file");
            }
        }
        int imageSize = patch * grid;
        int visionHeadWidth = OPENAI_HEAD_WIDTH;
        int textHeads = Math.max(1, textWidth / OPENAI_HEAD_WIDTH);
        boolean quickGelu = true;
        PixelNormalization preprocess = PixelNormalization.OPENAI;
        if (sidecar != null) {
            OpenClipConfig cfg = OpenClipConfig.read(sidecar, sidecarName);
            embed = cfg.model.integer("embed_dim", embed);
            quickGelu = cfg.model.bool("quick_gelu", false);
            imageSize = cfg.imageSize(imageSize);
            patch = cfg.vision.integer("patch_size", patch);
            visionWidth = cfg.vision.integer("width", visionWidth);
            visionLayers = cfg.vision.integer("layers", visionLayers);
            visionHeadWidth = cfg.vision.integer("head_width", visionHeadWidth);
            visionMlp = cfg.vision.number("mlp_ratio", visionMlp);
            context = cfg.text.integer("context_length", context);
            textWidth = cfg.text.integer("width", textWidth);
            textHeads = cfg.text.integer("heads", textHeads);
            textLayers = cfg.text.integer("layers", textLayers);
            textMlp = cfg.text.number("mlp_ratio", textMlp);
            preprocess = cfg.preprocess(preprocess);
        }
        TransformerConfig config = new TransformerConfig(embed, quickGelu,
                new TransformerConfig.Vision(imageSize, patch, visionWidth, visionLayers, visionHeadWidth, visionMlp),
                new TransformerConfig.Text(context, tokens.dim(0), textWidth, textHeads, textLayers, textMlp),
                TransformerConfig.CLIP_BPE, preprocess);
        return config;
    }

    /** The sidecar's model and preprocessing settings, checked to describe this architecture. */
    private record OpenClipConfig(ConfigKeys model, ConfigKeys vision, ConfigKeys text, ConfigKeys preprocess) {

        /** Settings that keep the architecture only at these values (null: absent or JSON null). */
        private static final Map<String, Object> MODEL_NEUTRAL = neutral("custom_text", null, "init_logit_scale",
                null, "init_logit_bias", null, "cast_dtype", null);
        private static final Map<String, Object> VISION_NEUTRAL = neutral("ls_init_value", null, "patch_dropout", null,
                "attentional_pool", false, "attn_pooler_queries", null, "attn_pooler_heads", null,
                "pool_type", "tok", "global_average_pool", false, "no_ln_pre", false, "final_ln_after_pool", false,
                "output_tokens", false, "input_patchnorm", false, "timm_model_name", null, "act_kwargs", null,
                "norm_kwargs", null, "pos_embed_type", "learnable", "embed_cls", false);
        private static final Map<String, Object> TEXT_NEUTRAL = neutral("ls_init_value", null, "hf_model_name", null,
                "hf_tokenizer_name", null, "tokenizer_kwargs", null, "pool_type", "argmax", "proj_bias", false,
                "proj_type", "linear", "embed_cls", false, "pad_id", 0, "no_causal_mask", false,
                "final_ln_after_pool", false, "output_tokens", false, "act_kwargs", null, "norm_kwargs", null);
        private static final Set<String> MODEL_KEYS = Set.of("embed_dim", "quick_gelu", "vision_cfg", "text_cfg");
        private static final Set<String> VISION_KEYS = Set.of("image_size", "patch_size", "width", "layers",
                "head_width", "mlp_ratio");
        private static final Set<String> TEXT_KEYS = Set.of("context_length", "vocab_size", "width", "heads",
                "layers", "mlp_ratio");

        static OpenClipConfig read(JsonNode root, String source) {
            ConfigKeys top = new ConfigKeys(root, source, "");
            // open_clip's hub files nest the model under model_cfg; a bare model config is accepted too
            ConfigKeys model = top.has("model_cfg") ? top.object("model_cfg") : top;
            ConfigKeys vision = model.object("vision_cfg");
            ConfigKeys text = model.object("text_cfg");
            check(model, MODEL_KEYS, MODEL_NEUTRAL);
            check(vision, VISION_KEYS, VISION_NEUTRAL);
            check(text, TEXT_KEYS, TEXT_NEUTRAL);
            if (vision.has("layers") && !vision.raw("layers").isInt()) {
                throw vision.problem("'" + vision.name("layers") + "' is " + vision.raw("layers")
                        + ": a ResNet image tower; only vision transformers (ViT) are supported");
            }
            return new OpenClipConfig(model, vision, text, top.object("preprocess_cfg"));
        }

        int imageSize(int inferred) {
            JsonNode size = vision.raw("image_size");
            if (size != null && size.isArray()) {
                if (size.size() != 2 || !size.get(0).isInt() || size.get(0).intValue() != size.get(1).intValue()) {
                    throw vision.problem("'" + vision.name("image_size") + "' is " + size
                            + "; only square images are supported");
                }
                return size.get(0).intValue();
            }
            return vision.integer("image_size", inferred);
        }

        PixelNormalization preprocess(PixelNormalization fallback) {
            String interpolation = preprocess.string("interpolation", "bicubic");
            String resize = preprocess.string("resize_mode", "shortest");
            if (!interpolation.equals("bicubic") || !resize.equals("shortest")) {
                throw preprocess.problem("preprocessing by " + interpolation + " interpolation and '" + resize
                        + "' resizing is not supported; images are resized as OpenAI's (bicubic, shortest side)");
            }
            float[] mean = preprocess.channels("mean");
            float[] std = preprocess.channels("std");
            try {
                return new PixelNormalization(mean == null ? fallback.mean() : mean, std == null ? fallback.std() : std);
            } catch (IllegalArgumentException e) {
                throw preprocess.problem(e.getMessage());
            }
        }

        private static void check(ConfigKeys keys, Set<String> known, Map<String, Object> neutral) {
            for (java.util.Iterator<String> it = keys.keys(); it.hasNext(); ) {
                String key = it.next();
                if (known.contains(key)) {
                    continue;
                }
                if (!neutral.containsKey(key)) {
                    throw keys.problem("unknown key '" + keys.name(key) + "'; the model it describes may not be a "
                            + "CLIP ViT that clip-engine can run");
                }
                JsonNode value = keys.raw(key);
                Object expected = neutral.get(key);
                boolean harmless = value.isNull() || expected == null && value.isContainerNode() && value.isEmpty()
                        || expected == null && key.equals("patch_dropout") && value.isNumber()
                        || expected == null && key.equals("custom_text") && value.isBoolean()
                        || expected == null && key.equals("init_logit_scale") && value.isNumber()
                        || expected != null && expected.toString().equals(value.asText());
                if (!harmless) {
                    throw keys.problem("'" + keys.name(key) + "' is " + SafeTensors.oneLine(value.toString())
                            + ", which changes the architecture away from OpenAI's CLIP ViT; clip-engine cannot run it");
                }
            }
        }

        private static Map<String, Object> neutral(Object... pairs) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
            return map;
        }
    }

    private static Tensor need(Map<String, Tensor> tensors, String name, int rank, String source) {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new BadInputException(source + ": the tensor " + name + " is missing");
        }
        if (tensor.rank() != rank) {
            throw new BadInputException(source + ": the tensor " + name + " has shape "
                    + java.util.Arrays.toString(tensor.shape()) + ", not " + rank + " dimensions");
        }
        return tensor;
    }

    /** Blocks 0..n-1 must all be there: a gap means a tensor is missing, which names it better later. */
    private static int countBlocks(Map<String, Tensor> tensors, Pattern pattern, String source, String what) {
        Set<Integer> indices = new TreeSet<>();
        for (String name : tensors.keySet()) {
            Matcher m = pattern.matcher(name);
            if (m.matches() && m.group(1).length() < 6) {
                indices.add(Integer.parseInt(m.group(1)));
            }
        }
        if (indices.isEmpty()) {
            throw new BadInputException(source + ": no " + what + ".N tensors: not a CLIP transformer state dict");
        }
        return indices.stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
    }

}
