package dev.clipengine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ClipModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void trainsTheSeedModelAndWritesTheModelAndResults(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("seed.safetensors");
        Path results = dir.resolve("results.json");
        Result r = run("train", "--model", "seed", "--steps", "30", "--batch-size", "8", "--backend", "vector",
                "--threads", "1", "--out", model.toString(), "--results", results.toString(), "--log-every", "10");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("backend:   vector"), r.out());
        assertTrue(r.out().contains("step     30/30"), r.out());
        ClipModel trained = ModelFile.load(model);
        assertEquals(2, trained.config().embedDim());
        JsonNode json = new ObjectMapper().readTree(results.toFile());
        assertEquals(30, json.get("steps").asInt());
        assertTrue(json.get("loss").isNumber());
        double zeroShot = json.get("zero_shot_top1").asDouble();
        assertTrue(zeroShot >= 0 && zeroShot <= 1, "a fraction: " + zeroShot);
    }

    @Test
    void badArgumentsGiveOneLineAndStatusTwo() {
        String[][] cases = {
                {"train", "--no-such-flag"},
                {"train", "--batch-size", "0"},
                {"train", "--batch-size", "-3"},
                {"train", "--steps", "5", "--epochs", "2"},
                {"train", "--backend", "cuda"},
                {"train", "--model", "seed", "--init", "x.safetensors"},
                {"train", "--optimizer", "adamw", "--momentum", "0.9"},
                {"train", "--lr", "-1"},
                {"train", "--threads", "0"},
                {"train", "--data", "no/such/file.tsv"},
                {"train", "--init", "no/such/model.safetensors"},
                {"train", "--model", "no-such-config.json"},
                {"train", "--batch-size", "1"},
                {"train", "--beta1", "1"},
                {"train", "--optimizer", "sgd", "--beta2", "0.9"},
                {"train", "--schedule", "constant", "--warmup", "10"},
                {"train", "--val-data", "x.tsv"},
                {"train", "--eval-every", "10"},
                {"train", "--data", ""},
                {"train", "--out", "/proc/clip-engine-test/model.safetensors"},
                {"train", "--results", "/proc/clip-engine-test.json"},
                {"nope"},
        };
        for (String[] args : cases) {
            Result r = run(args);
            String what = String.join(" ", args);
            assertEquals(2, r.status(), what + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), what + " prints one line: " + r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), what + ": " + r.err());
        }
    }

    /** A TSV of n 4x4 grey PNGs, then the extra lines given, in a fresh folder. */
    private static Path tsv(Path dir, int n, String... extraLines) throws Exception {
        StringBuilder text = new StringBuilder("filepath\ttitle\n");
        for (int i = 0; i < n; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(4, 4,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setSample(i % 4, i / 4 % 4, 0, 255);
            javax.imageio.ImageIO.write(image, "png", dir.resolve("img" + i + ".png").toFile());
            text.append("img").append(i).append(".png\t").append(i % 2 == 0 ? "a bright dot" : "a dark dot").append('\n');
        }
        for (String line : extraLines) {
            text.append(line).append('\n');
        }
        Path file = dir.resolve("pairs.tsv");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void trainsOnATsvOfImages(@TempDir Path dir) throws Exception {
        Path data = tsv(dir, 12);
        Result r = run("train", "--model", "seed", "--data", data.toString(), "--val-split", "0.25", "--batch-size", "4",
                "--steps", "5", "--out", dir.resolve("m.safetensors").toString(), "--quiet");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("held out (3 pairs)"), r.out());
    }

    @Test
    void badTsvInputNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("garbage.png"), new byte[] {1, 2, 3, 4, 5});
        String[][] cases = {
                {"img0.png", "line 10"},                              // too few fields
                {"missing.png\ta dot", "line 10"},                  // no such image
                {"garbage.png\ta dot", "line 10"},                  // not an image
                {"img1.png\t?!", "line 10"},                        // a caption with no word
        };
        for (String[] c : cases) {
            Path sub = Files.createDirectories(dir.resolve("case" + c[0].hashCode()));
            Files.copy(dir.resolve("garbage.png"), sub.resolve("garbage.png"));
            Path data = tsv(sub, 8, c[0]);
            Result r = run("train", "--model", "seed", "--data", data.toString(), "--batch-size", "4", "--steps", "1",
                    "--out", sub.resolve("m.safetensors").toString());
            assertEquals(2, r.status(), c[0] + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), c[0] + ": " + r.err());
            assertTrue(r.err().contains("pairs.tsv") && r.err().contains(c[1]), c[0] + ": " + r.err());
        }
    }

    @Test
    void aCheckpointWithAMissingTensorIsBadInput(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors");
        assertEquals(0, run("train", "--model", "seed", "--steps", "1", "--batch-size", "4", "--out", good.toString(),
                "--quiet").status());
        ClipModel model = ModelFile.load(good);
        java.util.List<dev.clipengine.model.Tensor> tensors = new java.util.ArrayList<>(model.tensors());
        tensors.remove(1);
        Path broken = dir.resolve("broken.safetensors");
        dev.clipengine.io.SafeTensors.write(broken, ModelFile.metadata(model), tensors);
        Result r = run("train", "--init", broken.toString(), "--steps", "1", "--out", dir.resolve("o.safetensors").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("broken.safetensors") && r.err().contains("text.encoder.weight"), r.err());
    }

    @Test
    void aModelFileWithANonFiniteWeightIsRefused(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.safetensors");
        assertEquals(0, run("train", "--model", "seed", "--steps", "1", "--batch-size", "4", "--out", good.toString(),
                "--quiet").status());
        ClipModel model = ModelFile.load(good);
        model.tensor(ClipModel.IMAGE_ENCODER_WEIGHT).data()[3] = Float.NaN;
        Path broken = dir.resolve("nan.safetensors");
        ModelFile.save(model, broken);
        Result r = run("train", "--init", broken.toString(), "--steps", "1", "--out", dir.resolve("o.safetensors").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(ClipModel.IMAGE_ENCODER_WEIGHT) && r.err().contains("NaN"), r.err());
    }

    @Test
    void runsWithoutOutGetFoldersOfTheirOwn(@TempDir Path dir) {
        Path first = OutputFiles.newRunFolder();
        Path second = OutputFiles.newRunFolder();
        try {
            assertFalse(first.equals(second), first + " and " + second);
        } finally {
            first.toFile().delete();
            second.toFile().delete();
            Path.of("runs").toFile().delete();
        }
    }

    @Test
    void aDivergingRunStopsWithStatusThreeUnlessSkippingIsAllowed(@TempDir Path dir) throws Exception {
        String[] diverging = {"train", "--model", "seed", "--optimizer", "sgd", "--lr", "1e30", "--steps", "20",
                "--batch-size", "8", "--quiet", "--save-every", "1", "--keep", "2", "--out",
                dir.resolve("m.safetensors").toString()};
        Result stopped = run(diverging);
        assertEquals(3, stopped.status(), stopped.err());
        assertTrue(stopped.err().contains("is not finite") && stopped.err().contains("last good checkpoint: "),
                stopped.err());
        assertEquals(1, stopped.err().strip().lines().count(), stopped.err());

        String[] skipping = java.util.Arrays.copyOf(diverging, diverging.length + 2);
        skipping[diverging.length] = "--skip-nonfinite";
        skipping[diverging.length + 1] = "1000";
        Result skipped = run(skipping);
        assertEquals(0, skipped.status(), skipped.err());
        assertTrue(skipped.err().contains("skipped for non-finite values"), skipped.err());
        try (var files = Files.list(dir)) {
            assertTrue(files.filter(f -> f.getFileName().toString().startsWith("ckpt-")).count() <= 2, "--keep 2");
        }
    }

    @Test
    void unknownBackendListsTheBackends() {
        Result r = run("train", "--backend", "cuda");
        assertTrue(r.err().contains("scalar") && r.err().contains("vector"), r.err());
    }

    @Test
    void fewerPairsThanOneBatchIsBadInput(@TempDir Path dir) throws Exception {
        Result r = run("train", "--model", "seed", "--batch-size", "30000", "--steps", "1",
                "--out", dir.resolve("m.safetensors").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("fewer than one batch"), r.err());
        assertFalse(Files.exists(dir.resolve("m.safetensors")), "nothing is saved");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Result r = run("train", "--help");
        assertEquals(0, r.status());
        for (String option : new String[] {"--backend", "--threads", "--data", "--model", "--init", "--steps", "--epochs",
                "--batch-size", "--lr", "--optimizer", "--momentum", "--weight-decay", "--seed", "--no-shuffle", "--out",
                "--results"}) {
            assertTrue(r.out().contains(option), option + " in\n" + r.out());
        }
        assertTrue(r.out().contains("Default: 128"), r.out());
    }

    @Test
    void versionIsPrinted() {
        Result r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("clip-engine"), r.out());
    }
}
