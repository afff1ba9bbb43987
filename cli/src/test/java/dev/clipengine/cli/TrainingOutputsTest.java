package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a training run leaves besides the model: the metrics file, the pictures, validation scores. */
class TrainingOutputsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRunLeavesMetricsLinesPicturesAndValidationScores(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("run/model.safetensors");
        Path results = dir.resolve("results.json");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--model", "seed", "--steps", "24", "--batch-size",
                "16", "--threads", "1", "--val-split", "0.05", "--eval-every", "10", "--out", model.toString(),
                "--results", results.toString(), "--log-every", "5");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("validation at step 10 ("), r.out());
        assertTrue(r.out().contains("validation at step 24 ("), "and at the last step: " + r.out());

        List<String> lines = Files.readAllLines(dir.resolve("run/metrics.jsonl"));
        // every 5th step, the validated steps 10, 20 and 24, and the last
        List<Long> logged = lines.stream().map(line -> parse(line).get("step").asLong()).toList();
        assertEquals(List.of(5L, 10L, 15L, 20L, 24L), logged);
        for (String line : lines) {
            JsonNode step = parse(line);
            for (String key : List.of("epoch", "loss", "lr", "logit_scale", "scale", "pairs_per_second",
                    "step_seconds")) {
                assertTrue(step.get(key).isNumber(), key + " in " + line);
            }
            boolean validated = step.get("step").asLong() % 10 == 0 || step.get("step").asLong() == 24;
            assertEquals(validated, step.has("validation"), line);
            if (validated) {
                double top1 = step.get("validation").get("zero_shot_top1").asDouble();
                assertTrue(top1 >= 0 && top1 <= 1, line);
            }
            assertEquals(Math.exp(step.get("logit_scale").asDouble()), step.get("scale").asDouble(), 1e-9, line);
        }

        for (String picture : List.of("loss.png", "accuracy.png", "similarity.png")) {
            BufferedImage image = ImageIO.read(dir.resolve("run").resolve(picture).toFile());
            assertNotNull(image, picture + " reads as an image");
            assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300,
                    picture + " is " + image.getWidth() + "x" + image.getHeight());
        }
        BufferedImage loss = ImageIO.read(dir.resolve("run/loss.png").toFile());
        assertEquals(900, loss.getWidth());
        assertEquals(500, loss.getHeight());

        JsonNode json = JSON.readTree(results.toFile());
        assertTrue(json.get("pairs_per_second").asDouble() > 0, json.toString());
        assertTrue(json.get("step_seconds_median").asDouble() > 0, json.toString());
        assertTrue(json.get("validation").has("zero_shot_top1"), json.toString());
    }

    @Test
    void metricsAndPicturesGoWhereAsked(@TempDir Path dir) throws Exception {
        Path metrics = dir.resolve("logs/m.jsonl");
        Path pictures = dir.resolve("pictures");
        TrainCommandTest.Result r = TrainCommandTest.run("train", "--model", "seed", "--steps", "3", "--batch-size",
                "8", "--out", dir.resolve("model.safetensors").toString(), "--metrics", metrics.toString(),
                "--report", pictures.toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, Files.readAllLines(metrics).size(), "a line per step by default");
        assertTrue(Files.exists(pictures.resolve("loss.png")));
        assertTrue(Files.exists(pictures.resolve("similarity.png")));
        assertFalse(Files.exists(pictures.resolve("accuracy.png")), "no validation was taken");
        assertFalse(Files.exists(dir.resolve("loss.png")));

        TrainCommandTest.Result none = TrainCommandTest.run("train", "--model", "seed", "--steps", "3",
                "--batch-size", "8", "--out", dir.resolve("again/model.safetensors").toString(), "--no-pictures",
                "--quiet");
        assertEquals(0, none.status(), none.err());
        assertFalse(Files.exists(dir.resolve("again/loss.png")));
    }

    @Test
    void anotherRunsMetricsAreMovedAsideNotOverwritten(@TempDir Path dir) throws Exception {
        String[] args = {"train", "--model", "seed", "--steps", "3", "--batch-size", "8", "--out",
                dir.resolve("model.safetensors").toString(), "--no-pictures", "--quiet"};
        assertEquals(0, TrainCommandTest.run(args).status());
        TrainCommandTest.Result again = TrainCommandTest.run(args);
        assertEquals(0, again.status(), again.err());
        assertTrue(again.err().contains("moved to"), again.err());
        assertEquals(3, Files.readAllLines(dir.resolve("metrics.jsonl.1")).size());
        assertEquals(3, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
    }

    @Test
    void aResumedRunContinuesItsMetricsWithoutRepeatingSteps(@TempDir Path dir) throws Exception {
        String[] run = {"train", "--steps", "6", "--batch-size", "8", "--save-every", "2", "--keep", "0", "--out",
                dir.resolve("model.safetensors").toString(), "--quiet"};
        String[] args = java.util.Arrays.copyOf(run, run.length + 2);
        args[run.length] = "--model";
        args[run.length + 1] = "seed";
        assertEquals(0, TrainCommandTest.run(args).status());
        // as if killed after step 6 with only the checkpoint of step 4 on disk
        Files.delete(dir.resolve("ckpt-00000006.safetensors"));
        String[] resume = java.util.Arrays.copyOf(run, run.length + 2);
        resume[run.length] = "--resume";
        resume[run.length + 1] = dir.toString();
        TrainCommandTest.Result r = TrainCommandTest.run(resume);
        assertEquals(0, r.status(), r.err());
        List<Long> steps = Files.readAllLines(dir.resolve("metrics.jsonl")).stream()
                .map(line -> parse(line).get("step").asLong()).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);

        // a run resumed from its final checkpoint has no step left: it still ends cleanly
        Path results = dir.resolve("results.json");
        String[] finished = java.util.Arrays.copyOf(resume, resume.length + 2);
        finished[resume.length] = "--results";
        finished[resume.length + 1] = results.toString();
        TrainCommandTest.Result done = TrainCommandTest.run(finished);
        assertEquals(0, done.status(), done.err());
        assertTrue(JSON.readTree(results.toFile()).get("pairs_per_second").isNull());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
