package dev.clipengine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.TransformerConfig;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a transformer model as a Hugging Face {@code CLIPModel} folder that
 * {@code CLIPModel.from_pretrained} and {@code CLIPProcessor.from_pretrained} read: the config,
 * the weights under Hugging Face's names ({@link HuggingFaceNames}), the preprocessing and the
 * tokenizer's files. The folder is written whole beside its target and renamed into place, so it
 * appears complete or not at all; an existing target is never touched.
 */
public final class HuggingFaceExport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Hugging Face's CLIP special tokens, which CLIP's vocabulary ends with. */
    private static final int START_OF_TEXT = 49406;
    private static final int END_OF_TEXT = 49407;

    private HuggingFaceExport() {
    }

    /** Writes {@code model} into the new folder {@code target}; refuses one that exists. */
    public static void write(ClipModel model, Path target) throws IOException {
        if (!(model.config() instanceof TransformerConfig config) || !TransformerConfig.CLIP_BPE.equals(
                config.tokenizer())) {
            throw new BadInputException("only transformer models with CLIP's tokenizer can be exported to Hugging "
                    + "Face's layout; this one is " + describe(model));
        }
        if (Files.exists(target)) {
            throw new BadInputException(target + ": already exists; export writes a new folder and replaces nothing");
        }
        Path parent = target.toAbsolutePath().getParent();
        Path temp = parent.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.createDirectory(temp);
        boolean moved = false;
        try {
            Files.writeString(temp.resolve(HuggingFaceFolder.CONFIG), JSON.writeValueAsString(config(config)));
            Files.writeString(temp.resolve(HuggingFaceFolder.PREPROCESSOR),
                    JSON.writeValueAsString(preprocessor(config)));
            Files.writeString(temp.resolve(HuggingFaceFolder.VOCAB), model.clipBpe().vocabJson());
            Files.writeString(temp.resolve(HuggingFaceFolder.MERGES), model.clipBpe().mergesTxt());
            Files.writeString(temp.resolve("tokenizer_config.json"), JSON.writeValueAsString(tokenizerConfig(config)));
            Files.writeString(temp.resolve("special_tokens_map.json"), JSON.writeValueAsString(specialTokens()));
            // Hugging Face reads a safetensors file only when its metadata says it holds PyTorch tensors
            SafeTensors.write(temp.resolve(HuggingFaceFolder.WEIGHTS), Map.of("format", "pt"),
                    HuggingFaceNames.toHuggingFace(model));
            try {
                Files.move(temp, target);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                throw new BadInputException(target + ": appeared while the export was written; nothing replaced");
            }
            moved = true;
        } finally {
            if (!moved) {
                deleteTree(temp);
            }
        }
    }

    private static String describe(ClipModel model) {
        return model.config() instanceof TransformerConfig t ? "a transformer with the " + t.tokenizer() + " tokenizer"
                : "of the card's family";
    }

    /** {@code CLIPConfig}'s keys, each tower's as Hugging Face names them. */
    static Map<String, Object> config(TransformerConfig c) {
        String act = c.quickGelu() ? "quick_gelu" : "gelu";
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("hidden_size", c.text().width());
        text.put("intermediate_size", c.text().mlpWidth());
        text.put("num_attention_heads", c.text().heads());
        text.put("num_hidden_layers", c.text().layers());
        text.put("max_position_embeddings", c.text().contextLength());
        text.put("vocab_size", c.text().vocabSize());
        text.put("hidden_act", act);
        text.put("layer_norm_eps", 1e-5);
        text.put("bos_token_id", START_OF_TEXT);
        text.put("eos_token_id", END_OF_TEXT);
        text.put("pad_token_id", 1);
        text.put("projection_dim", c.embedDim());
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("hidden_size", c.vision().width());
        vision.put("intermediate_size", c.vision().mlpWidth());
        vision.put("num_attention_heads", c.vision().heads());
        vision.put("num_hidden_layers", c.vision().layers());
        vision.put("image_size", c.vision().imageSize());
        vision.put("patch_size", c.vision().patchSize());
        vision.put("num_channels", 3);
        vision.put("hidden_act", act);
        vision.put("layer_norm_eps", 1e-5);
        vision.put("projection_dim", c.embedDim());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("CLIPModel"));
        config.put("model_type", "clip");
        config.put("projection_dim", c.embedDim());
        config.put("logit_scale_init_value", 2.6592);
        config.put("torch_dtype", "float32");
        config.put("text_config", text);
        config.put("vision_config", vision);
        return config;
    }

    /** {@code CLIPImageProcessor}'s settings: bicubic resize of the shorter side, centre crop, the model's statistics. */
    static Map<String, Object> preprocessor(TransformerConfig c) {
        int size = c.vision().imageSize();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("crop_size", Map.of("height", size, "width", size));
        p.put("do_center_crop", true);
        p.put("do_normalize", true);
        p.put("do_resize", true);
        p.put("do_rescale", true);
        p.put("rescale_factor", 1 / 255.0);
        p.put("image_mean", floats(c.preprocess().mean()));
        p.put("image_std", floats(c.preprocess().std()));
        p.put("resample", 3);
        p.put("size", Map.of("shortest_edge", size));
        p.put("image_processor_type", "CLIPImageProcessor");
        return p;
    }

    private static Map<String, Object> tokenizerConfig(TransformerConfig c) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("model_max_length", c.text().contextLength());
        t.put("bos_token", "<|startoftext|>");
        t.put("eos_token", "<|endoftext|>");
        t.put("pad_token", "<|endoftext|>");
        t.put("unk_token", "<|endoftext|>");
        t.put("do_lower_case", true);
        t.put("tokenizer_class", "CLIPTokenizer");
        return t;
    }

    private static Map<String, Object> specialTokens() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("bos_token", "<|startoftext|>");
        t.put("eos_token", "<|endoftext|>");
        t.put("pad_token", "<|endoftext|>");
        t.put("unk_token", "<|endoftext|>");
        return t;
    }

    private static List<Double> floats(float[] values) {
        // the shortest decimal of each float, so a reader gets the same float back
        return java.util.stream.IntStream.range(0, values.length)
                .mapToObj(i -> Double.parseDouble(Float.toString(values[i]))).toList();
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // the export's own failure is the one worth reporting
        }
    }
}
