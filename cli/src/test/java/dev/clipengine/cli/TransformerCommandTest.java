package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.TransformerTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformer family through every command that takes a model: train, resume, eval, classify, embed, compare. */
class TransformerCommandTest {

    /** One block a side, 16 wide: seconds to train, yet every operator runs. */
    static final String CONFIG = """
            {"family": "transformer", "embed_dim": 16, "quick_gelu": true,
             "vision_cfg": {"image_size": 16, "patch_size": 8, "width": 16, "layers": 1, "head_width": 8},
             "text_cfg": {"context_length": 10, "width": 16, "heads": 2, "layers": 1}}""";

    @TempDir
    static Path shared;
    static Path config;

    @BeforeAll
    static void writeConfig() throws Exception {
        config = shared.resolve("tiny-vit.json");
        Files.writeString(config, CONFIG);
    }

    @Test
    void trainsSavesUnderOpenClipNamesAndScoresAgain(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Path results = dir.resolve("train.json");
        TrainCommandTest.Result trained = TrainCommandTest.run("train", "--model", config.toString(), "--steps", "30",
                "--batch-size", "16", "--quiet", "--out", model.toString(), "--results", results.toString());
        assertEquals(0, trained.status(), trained.err());

        ClipModel loaded = ModelFile.load(model);
        TransformerConfig saved = assertInstanceOf(TransformerConfig.class, loaded.config());
        assertEquals(TransformerConfig.WORDS, saved.tokenizer());
        assertEquals(List.of("<start>", "<end>"), loaded.vocabulary().words().subList(
                loaded.vocabulary().size() - 2, loaded.vocabulary().size()));
        SafeTensors.Contents contents = SafeTensors.read(model);
        assertTrue(contents.tensors().containsKey("visual.transformer.resblocks.0.attn.in_proj_weight"));
        assertTrue(contents.tensors().containsKey(TransformerTensors.TEXT_PROJECTION));
        assertEquals("transformer", new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(contents.metadata().get("config")).get("family").asText());

        // eval scores the saved model as train did at its end
        TrainCommandTest.Result evaluated = TrainCommandTest.run("eval", "--checkpoint", model.toString(), "--results",
                dir.resolve("eval.json").toString());
        assertEquals(0, evaluated.status(), evaluated.err());
        var trainScores = new com.fasterxml.jackson.databind.ObjectMapper().readTree(results.toFile());
        var evalScores = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("eval.json").toFile());
        assertEquals(trainScores.get("zero_shot_top1").asDouble(), evalScores.get("zero_shot_top1").asDouble(), 1e-9);

        Path images = dir.resolve("images");
        Files.createDirectories(images);
        for (String name : new String[] {"b.png", "a.png"}) {
            ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", images.resolve(name).toFile());
        }
        TrainCommandTest.Result classified = TrainCommandTest.run("classify", images.toString(), "--checkpoint",
                model.toString(), "--labels", "red circle,blue square", "--template", "a {}");
        assertEquals(0, classified.status(), classified.err());
        assertTrue(classified.out().contains("a.png"), classified.out());

        Path embeddings = dir.resolve("e.safetensors");
        TrainCommandTest.Result embedded = TrainCommandTest.run("embed", "--checkpoint", model.toString(), "--images",
                images.toString(), "--captions", "a red circle", "--out", embeddings.toString());
        assertEquals(0, embedded.status(), embedded.err());
        float[] image = SafeTensors.read(embeddings).tensors().get("image_embeddings").data();
        assertEquals(2 * 16, image.length);
        double norm = 0;
        for (int d = 0; d < 16; d++) {
            norm += image[d] * image[d];
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5, "unit length");
    }

    @Test
    void compareRunsTheTransformerOnTwoBackendsInStep(@TempDir Path dir) {
        TrainCommandTest.Result r = TrainCommandTest.run("compare", "--backends", "vector,scalar", "--model",
                config.toString(), "--steps", "4", "--batch-size", "8", "--json", dir.resolve("c.json").toString());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void afterKillNineTheResumedRunEndsWithTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        List<String> options = List.of("--model", config.toString(), "--steps", "2000", "--batch-size", "8", "--lr",
                "0.003", "--schedule", "cosine", "--quiet");
        Path checkpoints = dir.resolve("ckpt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--save-every", "10", "--keep", "0", "--save-dir",
                checkpoints.toString(), "--out", dir.resolve("killed.safetensors").toString()));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(checkpoints.resolve("ckpt-00000030.safetensors")) && process.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
        assertEquals(137, process.exitValue(), "killed before the end: " + Files.readString(dir.resolve("child.log")));

        Path resumed = dir.resolve("resumed.safetensors");
        List<String> resume = new ArrayList<>(List.of("train", "--resume", checkpoints.toString(), "--out",
                resumed.toString()));
        resume.addAll(options.subList(2, options.size()));
        TrainCommandTest.Result r = TrainCommandTest.run(resume.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());

        Path whole = dir.resolve("whole.safetensors");
        List<String> uninterrupted = new ArrayList<>(List.of("train", "--out", whole.toString()));
        uninterrupted.addAll(options);
        assertEquals(0, TrainCommandTest.run(uninterrupted.toArray(String[]::new)).status());
        ClipModel expected = ModelFile.load(whole);
        ClipModel actual = ModelFile.load(resumed);
        for (Tensor t : expected.tensors()) {
            int[] a = new int[t.size()];
            int[] b = new int[t.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = Float.floatToRawIntBits(t.data()[i]);
                b[i] = Float.floatToRawIntBits(actual.tensor(t.name()).data()[i]);
            }
            assertArrayEquals(a, b, t.name());
        }
    }
}
