package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {

    @Test
    void evalReproducesTrainsHeldOutScoreAndWritesTheResultsKeys(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Path trainResults = dir.resolve("train.json");
        TrainCommandTest.Result trained = TrainCommandTest.run("train", "--model", "seed", "--steps", "40",
                "--batch-size", "16", "--out", model.toString(), "--results", trainResults.toString(), "--quiet");
        assertEquals(0, trained.status(), trained.err());

        Path evalResults = dir.resolve("eval.json");
        TrainCommandTest.Result r = TrainCommandTest.run("eval", "--checkpoint", model.toString(), "--results",
                evalResults.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("zero-shot") && r.out().contains("R@10"), r.out());

        ObjectMapper json = new ObjectMapper();
        JsonNode evaluated = json.readTree(evalResults.toFile());
        JsonNode fromTraining = json.readTree(trainResults.toFile());
        assertEquals(fromTraining.get("zero_shot_top1").asDouble(), evaluated.get("zero_shot_top1").asDouble(), 0,
                "eval scores the same held-out set as train's final report");
        for (String key : new String[] {"zero_shot_top5", "image_to_text_recall", "text_to_image_recall",
                "per_class_top1", "n_images"}) {
            assertTrue(evaluated.has(key), key + " in " + evaluated);
        }
        assertEquals(1000, evaluated.get("n_images").asInt());
        assertTrue(evaluated.get("image_to_text_recall").has("10"));
        double top5 = evaluated.get("zero_shot_top5").asDouble();
        assertTrue(top5 >= evaluated.get("zero_shot_top1").asDouble() && top5 <= 1, "top-5 " + top5);

        // the confusion matrix, beside the checkpoint: 60 classes make a picture larger than a thumbnail
        java.awt.image.BufferedImage confusion = javax.imageio.ImageIO.read(dir.resolve("m.confusion.png").toFile());
        assertTrue(confusion != null && confusion.getWidth() >= 600 && confusion.getHeight() >= 600,
                "confusion.png " + (confusion == null ? "unreadable" : confusion.getWidth() + "x" + confusion.getHeight()));
    }

    @Test
    void aMissingCheckpointIsBadInput() {
        TrainCommandTest.Result r = TrainCommandTest.run("eval", "--checkpoint", "no/such.safetensors");
        assertEquals(2, r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
