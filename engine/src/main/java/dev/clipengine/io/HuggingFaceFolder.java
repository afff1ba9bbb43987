package dev.clipengine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.text.ClipBpe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face {@code CLIPModel} folder: {@code config.json}, the weights in
 * {@code model.safetensors} or in shards listed by {@code model.safetensors.index.json},
 * {@code preprocessor_config.json} for the pixel statistics, and {@code vocab.json} with
 * {@code merges.txt} for the tokenizer (docs/checkpoints.md).
 */
public final class HuggingFaceFolder {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    public static final String PREPROCESSOR = "preprocessor_config.json";
    public static final String VOCAB = "vocab.json";
    public static final String MERGES = "merges.txt";
    /** Hugging Face's LayerNorm epsilon for CLIP, and the only one the kernels use. */
    private static final double LAYER_NORM_EPS = 1e-5;

    private HuggingFaceFolder() {
    }

    /** Whether {@code folder} looks like a Hugging Face model folder. */
    public static boolean matches(Path folder) {
        return Files.isDirectory(folder) && Files.exists(folder.resolve(CONFIG));
    }

    /** The model in the folder: config, weights and preprocessing; the tokenizer files are read by the caller. */
    public static ClipModel load(Path folder) {
        TransformerConfig config = config(JsonFiles.readObject(folder.resolve(CONFIG)), folder.resolve(CONFIG).toString(),
                preprocessing(folder));
        Map<String, Tensor> hf = weights(folder);
        String source = folder.toString();
        Map<String, Tensor> ours = HuggingFaceNames.toOurs(hf, config, source);
        ClipModel model = new ClipModel(config, null, ours, source);
        ModelFile.requireFinite(model, source);
        Path vocab = folder.resolve(VOCAB);
        Path merges = folder.resolve(MERGES);
        if (Files.exists(vocab) || Files.exists(merges)) {
            // the folder's own tokenizer; without its files, CLIP's (which every CLIPModel on the hub uses)
            model.withClipBpe(ClipBpe.fromHuggingFace(vocab, merges));
        }
        return model;
    }

    /**
     * The config of a {@code CLIPConfig} file, Hugging Face's defaults for keys it leaves out;
     * older files' {@code text_config_dict} and {@code vision_config_dict} win over the others.
     */
    static TransformerConfig config(JsonNode root, String source, PixelNormalization preprocess) {
        ConfigKeys top = new ConfigKeys(root, source, "");
        String type = top.string("model_type", "clip");
        if (!type.equals("clip")) {
            throw top.problem("model_type is \"" + SafeTensors.oneLine(type) + "\"; only \"clip\" models (CLIPModel) "
                    + "are read");
        }
        ConfigKeys text = merged(top, "text_config", source);
        ConfigKeys vision = merged(top, "vision_config", source);
        String textAct = text.string("hidden_act", "quick_gelu");
        String visionAct = vision.string("hidden_act", "quick_gelu");
        for (String act : new String[] {textAct, visionAct}) {
            if (!act.equals("quick_gelu") && !act.equals("gelu")) {
                throw top.problem("hidden_act \"" + SafeTensors.oneLine(act) + "\" is not supported; the activations "
                        + "are quick_gelu and gelu");
            }
        }
        if (!textAct.equals(visionAct)) {
            throw top.problem("the towers use different activations (" + textAct + " and " + visionAct
                    + "); one model uses one");
        }
        for (ConfigKeys tower : new ConfigKeys[] {text, vision}) {
            double eps = tower.number("layer_norm_eps", LAYER_NORM_EPS);
            if (eps != LAYER_NORM_EPS) {
                throw tower.problem("'" + tower.name("layer_norm_eps") + "' is " + eps + "; only 1e-05 is supported");
            }
        }
        if (vision.integer("num_channels", 3) != 3) {
            throw vision.problem("'" + vision.name("num_channels") + "' must be 3 (RGB)");
        }
        int visionWidth = vision.integer("hidden_size", 768);
        int visionHeads = vision.integer("num_attention_heads", 12);
        if (visionHeads < 1 || visionWidth % visionHeads != 0) {
            throw vision.problem("hidden_size " + visionWidth + " is not a multiple of num_attention_heads "
                    + visionHeads);
        }
        int textWidth = text.integer("hidden_size", 512);
        return new TransformerConfig(top.integer("projection_dim", 512), textAct.equals("quick_gelu"),
                new TransformerConfig.Vision(vision.integer("image_size", 224), vision.integer("patch_size", 32),
                        visionWidth, vision.integer("num_hidden_layers", 12), visionWidth / visionHeads,
                        TransformerConfig.mlpRatio(vision.integer("intermediate_size", 3072), visionWidth)),
                new TransformerConfig.Text(text.integer("max_position_embeddings", 77),
                        text.integer("vocab_size", 49408), textWidth, text.integer("num_attention_heads", 8),
                        text.integer("num_hidden_layers", 12), TransformerConfig.mlpRatio(text.integer("intermediate_size", 2048), textWidth)),
                TransformerConfig.CLIP_BPE, preprocess);
    }

    /** {@code name} with {@code name_dict}'s keys over it, as older Hugging Face files have both. */
    private static ConfigKeys merged(ConfigKeys top, String name, String source) {
        ObjectNode merged = ((ObjectNode) top.object(name).node()).deepCopy();
        ConfigKeys override = top.object(name + "_dict");
        for (Iterator<String> keys = override.keys(); keys.hasNext(); ) {
            String key = keys.next();
            merged.set(key, override.raw(key));
        }
        return new ConfigKeys(merged, source, name);
    }


    /** The pixel statistics of {@code preprocessor_config.json}, OpenAI's when there is none. */
    static PixelNormalization preprocessing(Path folder) {
        Path file = folder.resolve(PREPROCESSOR);
        if (!Files.exists(file)) {
            return PixelNormalization.OPENAI;
        }
        ConfigKeys keys = new ConfigKeys(JsonFiles.readObject(file), file.toString(), "");
        int resample = keys.integer("resample", 3);
        if (resample != 3) {
            throw keys.problem("resample " + resample + " is not supported; images are resized by bicubic (3), as "
                    + "CLIP's processor does");
        }
        float[] mean = keys.channels("image_mean");
        float[] std = keys.channels("image_std");
        try {
            return new PixelNormalization(mean == null ? PixelNormalization.OPENAI.mean() : mean,
                    std == null ? PixelNormalization.OPENAI.std() : std);
        } catch (IllegalArgumentException e) {
            throw keys.problem(e.getMessage());
        }
    }

    /** The weights: the single file, or every shard the index names (each read once). */
    private static Map<String, Tensor> weights(Path folder) {
        Path single = folder.resolve(WEIGHTS);
        Path index = folder.resolve(INDEX);
        if (Files.exists(single)) {
            return SafeTensors.read(single).tensors();
        }
        if (!Files.exists(index)) {
            for (String pickle : new String[] {"pytorch_model.bin", "pytorch_model.bin.index.json"}) {
                if (Files.exists(folder.resolve(pickle))) {
                    throw new BadInputException(folder.resolve(pickle) + ": " + PickledFiles.REFUSAL);
                }
            }
            throw new BadInputException(folder + ": no " + WEIGHTS + " or " + INDEX + " in the folder");
        }
        ConfigKeys keys = new ConfigKeys(JsonFiles.readObject(index), index.toString(), "");
        ConfigKeys map = keys.object("weight_map");
        Map<String, String> shardOf = new LinkedHashMap<>();
        for (Iterator<String> names = map.keys(); names.hasNext(); ) {
            String name = names.next();
            String shard = map.string(name, null);
            if (shard == null || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw keys.problem("weight_map entry '" + SafeTensors.oneLine(name) + "' names " + shard
                        + ", not a file of this folder");
            }
            shardOf.put(name, shard);
        }
        if (shardOf.isEmpty()) {
            throw keys.problem("weight_map is empty");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String shard : new TreeSet<>(shardOf.values())) {
            Path file = folder.resolve(shard);
            for (Map.Entry<String, Tensor> e : SafeTensors.read(file).tensors().entrySet()) {
                if (!shard.equals(shardOf.get(e.getKey()))) {
                    throw new BadInputException(file + ": holds the tensor " + SafeTensors.oneLine(e.getKey())
                            + ", which " + INDEX + " does not place in it");
                }
                tensors.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : shardOf.entrySet()) {
            if (!tensors.containsKey(e.getKey()) && !e.getKey().endsWith("position_ids")) {
                throw new BadInputException(folder.resolve(e.getValue()) + ": the tensor "
                        + SafeTensors.oneLine(e.getKey()) + ", which " + INDEX + " places in it, is missing");
            }
        }
        return tensors;
    }
}
