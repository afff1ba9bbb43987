package dev.clipengine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clipengine.io.TrainingCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch size, learning rate, weight decay and schedule a run takes when the command line leaves them out. */
class TrainingDefaultsTest {

    private static TrainCommandTest.Result train(Path dir, String name, String... options) {
        String[] common = {"train", "--steps", "2", "--batch-size", "8", "--threads", "1", "--no-pictures",
                "--log-every", "1", "--out", dir.resolve(name + ".safetensors").toString()};
        String[] args = new String[common.length + options.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(options, 0, args, common.length, options.length);
        TrainCommandTest.Result result = TrainCommandTest.run(args);
        assertEquals(0, result.status(), result.err());
        return result;
    }

    private static void assertRun(TrainCommandTest.Result result, String weightDecay, String lrAndSchedule) {
        assertTrue(result.out().contains("weight decay " + weightDecay + "), lr " + lrAndSchedule), result.out());
    }

    @Test
    void eachKindOfRunHasItsOwnAndFlagsGivenWin(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("vit.json");
        Files.writeString(config, TransformerCommandTest.CONFIG);

        assertRun(train(dir, "card", "--model", "seed"), "0.0", "0.002 constant");
        assertRun(train(dir, "vit", "--model", config.toString()), "0.2", "0.003 cosine");
        assertRun(train(dir, "given", "--model", config.toString(), "--lr", "0.01", "--schedule", "constant",
                "--weight-decay", "0.3"), "0.3", "0.01 constant");
        // fine-tuning: a rate small enough to keep what the weights know
        assertRun(train(dir, "tuned", "--init", dir.resolve("vit.safetensors").toString()), "0.1", "1.0E-5 cosine");
        assertRun(train(dir, "card-tuned", "--init", dir.resolve("card.safetensors").toString()), "0.0",
                "0.002 constant");
    }

    @Test
    void aNewTransformerTakesOpenClipsBatchSize(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("vit.json");
        Files.writeString(config, TransformerCommandTest.CONFIG);
        assertTrue(oneStep(dir, "vit", "--model", config.toString()).contains("1 step of 64 pairs"));
        assertTrue(oneStep(dir, "card", "--model", "seed").contains("1 step of 128 pairs"));
        assertTrue(oneStep(dir, "given", "--model", config.toString(), "--batch-size", "16")
                .contains("1 step of 16 pairs"));
    }

    /** The output of a one-step run with the batch size left to the defaults unless options give it. */
    private static String oneStep(Path dir, String name, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--steps", "1", "--threads", "1", "--no-pictures",
                "--out", dir.resolve(name + ".safetensors").toString()));
        args.addAll(List.of(options));
        TrainCommandTest.Result result = TrainCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, result.status(), result.err());
        return result.out();
    }

    @Test
    void aResumedRunKeepsTheOptionsItStartedWith(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        train(dir, "first", "--model", "seed", "--lr", "0.01", "--weight-decay", "0.05", "--schedule", "cosine",
                "--save-every", "1", "--save-dir", checkpoints.toString());
        Path step1 = checkpoints.resolve(TrainingCheckpoint.fileName(1));
        assertRun(train(dir, "resumed", "--resume", step1.toString()), "0.05", "0.01 cosine");
        // and its batch size, 8 here, where the card's default is 128
        TrainCommandTest.Result batch = TrainCommandTest.run("train", "--resume", step1.toString(), "--steps", "2",
                "--threads", "1", "--no-pictures", "--out", dir.resolve("batch.safetensors").toString());
        assertEquals(0, batch.status(), batch.err());
        assertTrue(batch.out().contains("2 steps of 8 pairs"), batch.out());

        TrainCommandTest.Result other = TrainCommandTest.run("train", "--resume", step1.toString(), "--steps", "2",
                "--batch-size", "8", "--lr", "0.02", "--out", dir.resolve("other.safetensors").toString());
        assertEquals(2, other.status(), other.out());
        assertTrue(other.err().contains("lr = 0.01") && other.err().contains("0.02"), other.err());
    }

    @Test
    void aWarmupNeedsACosineSchedule(@TempDir Path dir) {
        TrainCommandTest.Result result = TrainCommandTest.run("train", "--model", "seed", "--steps", "2",
                "--warmup", "1", "--out", dir.resolve("m.safetensors").toString());
        assertEquals(2, result.status(), result.out());
        assertEquals("clip-engine: --warmup is for --schedule cosine (the schedule of the card's model is constant)",
                result.err().strip());
    }
}
