package dev.clipengine.io;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Other programs' checkpoints of the OpenAI fixture, in each layout, and what is refused. */
class CheckpointsTest {

    private static final Path FIXTURE = Path.of("..", "fixtures", "openai-clip-small");
    /** The fixture's model as OpenAI's build_model infers it from the shapes. */
    private static final TransformerConfig EXPECTED = new TransformerConfig(32, true,
            new TransformerConfig.Vision(32, 8, 128, 2, 64, 4.0), new TransformerConfig.Text(77, 49408, 128, 2, 2, 4.0),
            TransformerConfig.CLIP_BPE, PixelNormalization.OPENAI);

    private static Map<String, Tensor> openAi;

    @TempDir
    Path dir;

    @BeforeAll
    static void readWeights() {
        openAi = SafeTensors.read(FIXTURE.resolve("openai.safetensors")).tensors();
    }

    private static void assertSameWeights(ClipModel model) {
        assertEquals(openAi.size(), model.tensors().size());
        for (Tensor t : model.tensors()) {
            assertArrayEquals(openAi.get(t.name()).data(), t.data(), t.name());
        }
    }

    @Test
    void anOpenAiStateDictGivesTheConfigOpenAiInfers() {
        ClipModel model = Checkpoints.load(FIXTURE.resolve("openai.safetensors"));
        assertEquals(EXPECTED.toMap(), model.config().toMap());
        assertSameWeights(model);
    }

    @Test
    void aHuggingFaceFolderGivesTheSameModel() {
        ClipModel model = Checkpoints.load(FIXTURE.resolve("hf"));
        assertEquals(EXPECTED.toMap(), model.config().toMap());
        assertSameWeights(model);
    }

    @Test
    void shardedHuggingFaceWeightsAreJoined() throws IOException {
        Path folder = hfCopy();
        Files.delete(folder.resolve("model.safetensors"));
        Map<String, Tensor> all = SafeTensors.read(FIXTURE.resolve("hf/model.safetensors")).tensors();
        List<Tensor> first = new ArrayList<>();
        List<Tensor> second = new ArrayList<>();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (Tensor t : all.values()) {
            boolean text = t.name().startsWith("text");
            (text ? second : first).add(t);
            index.append(index.charAt(index.length() - 1) == '{' ? "" : ", ").append('"').append(t.name())
                    .append("\": \"").append(text ? "b.safetensors" : "a.safetensors").append('"');
        }
        SafeTensors.write(folder.resolve("a.safetensors"), Map.of(), first);
        SafeTensors.write(folder.resolve("b.safetensors"), Map.of(), second);
        Files.writeString(folder.resolve("model.safetensors.index.json"), index.append("}}").toString());
        assertSameWeights(Checkpoints.load(folder));

        // a shard that lost a tensor the index places in it
        SafeTensors.write(folder.resolve("b.safetensors"), Map.of(), second.subList(1, second.size()));
        assertRefused(folder, second.get(0).name());
    }

    @Test
    void anOpenClipSidecarDecidesWhatItSays() throws IOException {
        Path file = dir.resolve("open_clip_model.safetensors");
        Files.copy(FIXTURE.resolve("openai.safetensors"), file);
        Files.writeString(dir.resolve("open_clip_config.json"), """
                {"model_cfg": {"embed_dim": 32, "vision_cfg": {"image_size": 32, "layers": 2, "width": 128,
                  "patch_size": 8, "head_width": 32, "ls_init_value": null},
                  "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 128, "heads": 4, "layers": 2}},
                 "preprocess_cfg": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}}""");
        TransformerConfig config = (TransformerConfig) Checkpoints.load(dir).config();
        assertFalse(config.quickGelu(), "a sidecar without quick_gelu means open_clip's GELU");
        assertEquals(4, config.vision().heads());
        assertEquals(4, config.text().heads());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, config.preprocess().mean());

        Files.writeString(dir.resolve("open_clip_config.json"), """
                {"model_cfg": {"embed_dim": 32, "quick_gelu": true,
                  "vision_cfg": {"ls_init_value": 0.1}, "text_cfg": {}}}""");
        assertRefused(file, "vision_cfg.ls_init_value");
        Files.writeString(dir.resolve("open_clip_config.json"), "{\"model_cfg\": {\"embed_dim\": \"large\"}}");
        assertRefused(file, "model_cfg.embed_dim");
    }

    @Test
    void badCheckpointsAreRefusedInOneLineNamingWhatIsWrong() throws IOException {
        Map<String, Tensor> missing = new LinkedHashMap<>(openAi);
        missing.remove("visual.ln_post.bias");
        assertRefused(write("missing.safetensors", missing), "visual.ln_post.bias");

        Map<String, Tensor> misShaped = new LinkedHashMap<>(openAi);
        Tensor ln = openAi.get("ln_final.bias");
        misShaped.put("ln_final.bias", new Tensor("ln_final.bias", new int[] {127}, new float[127]));
        assertRefused(write("shape.safetensors", misShaped), "ln_final");
        assertEquals(128, ln.size());

        assertRefused(write("unknown.safetensors", Map.of("encoder.weight", Tensor.zeros("encoder.weight", 2, 2))),
                "unknown layout");

        Path truncated = dir.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(FIXTURE.resolve("openai.safetensors"));
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(truncated, "truncated.safetensors");

        Path bin = dir.resolve("pytorch_model.bin");
        Files.write(bin, new byte[] {(byte) 0x80, 2, 'c', 'o'});
        assertRefused(bin, "pickled");
        Path zip = dir.resolve("model.safetensors.tmp");
        Files.write(zip, new byte[] {'P', 'K', 3, 4, 0, 0});
        assertRefused(zip, "pickled");

        assertRefused(dir.resolve("nothing-here"), "no such file");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRefused(empty, "not a model folder");
    }

    @Test
    void badHuggingFaceConfigsAreRefusedByKey() throws IOException {
        Path folder = hfCopy();
        String config = Files.readString(FIXTURE.resolve("hf/config.json"));
        Files.writeString(folder.resolve("config.json"), config.replace("\"hidden_size\": 128,\n    \"intermediate_size\": 512,\n    \"num_attention_heads\": 2,\n    \"num_hidden_layers\": 2,\n    \"image_size\"",
                "\"hidden_size\": \"wide\",\n    \"intermediate_size\": 512,\n    \"num_attention_heads\": 2,\n    \"num_hidden_layers\": 2,\n    \"image_size\""));
        assertRefused(folder, "vision_config.hidden_size");
        Files.writeString(folder.resolve("config.json"), config.replace("\"quick_gelu\"", "\"gelu_new\""));
        assertRefused(folder, "gelu_new");
        Files.writeString(folder.resolve("config.json"), config.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
        assertRefused(folder, "layers.2");
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"siglip\"}");
        assertRefused(folder, "siglip");
        Files.writeString(folder.resolve("config.json"), "[1, 2");
        assertRefused(folder, "config.json");
        Files.writeString(folder.resolve("config.json"), config);
        Files.delete(folder.resolve("model.safetensors"));
        assertRefused(folder, "no model.safetensors");
    }

    private Path hfCopy() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("hf"));
        try (var files = Files.list(FIXTURE.resolve("hf"))) {
            for (Path f : files.toList()) {
                Files.copy(f, folder.resolve(f.getFileName().toString()));
                folder.resolve(f.getFileName().toString()).toFile().setWritable(true);
            }
        }
        return folder;
    }

    private Path write(String name, Map<String, Tensor> tensors) throws IOException {
        Path file = dir.resolve(name);
        SafeTensors.write(file, Map.of(), new ArrayList<>(tensors.values()));
        return file;
    }

    private static void assertRefused(Path path, String mentioned) {
        String message = assertThrows(BadInputException.class, () -> Checkpoints.load(path)).getMessage();
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains(mentioned), "'" + message + "' should mention " + mentioned);
    }
}
