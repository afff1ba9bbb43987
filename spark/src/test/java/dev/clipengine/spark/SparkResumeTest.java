package dev.clipengine.spark;

import dev.clipengine.cli.Main;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.TrainingCheckpoint;
import dev.clipengine.model.ClipModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clip-engine train --spark}: a driver killed with {@code kill -9} mid-run, then resumed on
 * Spark from its last checkpoint, ends with the weights of the run that was never interrupted.
 */
class SparkResumeTest {

    private static final int STEPS = 16;

    /** A small card-family model of 8x8 colour images. */
    private static final String CONFIG = """
            {"image_size": 8, "patch_size": 4, "channels": 3, "word_dim": 16, "text_hidden": 32, "image_hidden": 32,
             "embed_dim": 16, "max_tokens": 8, "normalize": true, "learnable_scale": true}
            """;

    /** The run's flags; {@code more} says where the model starts ({@code --model} or {@code --resume}). */
    private static List<String> args(Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--spark", TestRuns.MASTER, "--partitions", "4",
                "--data", data.toString(), "--lr", "0.01", "--steps", String.valueOf(STEPS), "--batch-size", "16", "--backend", "vector",
                "--threads", "1", "--save-every", "4", "--keep", "0", "--log-every", "1000", "--no-pictures",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    private static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, status, out + "\n" + err);
        return out.toString();
    }

    /**
     * n PNGs of 8x8, each a square of one of four colours on black, with its caption: local files,
     * which the executors read themselves.
     */
    private static Path tsv(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        String[] names = {"red", "green", "blue", "white"};
        int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff};
        StringBuilder text = new StringBuilder("filepath\ttitle\n");
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            int at = i / 4 % 5;
            for (int y = at; y < at + 4; y++) {
                for (int x = at; x < at + 4; x++) {
                    image.setRGB(x, y, colours[i % 4]);
                }
            }
            ImageIO.write(image, "png", dir.resolve("img" + i + ".png").toFile());
            text.append("img").append(i).append(".png\ta ").append(names[i % 4]).append(" square\n");
        }
        return Files.writeString(dir.resolve("pairs.tsv"), text);
    }

    @Test
    void aDriverKilledAndResumedOnSparkEndsWithTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        TestRuns.spark();
        Path config = Files.writeString(dir.resolve("config.json"), CONFIG);
        Path data = tsv(dir.resolve("data"), 64);
        Path whole = dir.resolve("whole/model.safetensors");
        Path killed = dir.resolve("killed/model.safetensors");
        Files.createDirectories(whole.getParent());
        Files.createDirectories(killed.getParent());

        // the run to kill starts first, in a JVM of its own, and is killed by a watcher as soon as
        // its first checkpoint is there, while this JVM trains the uninterrupted run
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // this JVM's options: the Vector API, and Spark's opened packages
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args(data, killed, "--model", config.toString()));
        Process driver = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path firstCheckpoint = killed.getParent().resolve(TrainingCheckpoint.fileName(4));
        CompletableFuture<Boolean> killedWhileTraining = CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(firstCheckpoint) && driver.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            boolean training = driver.isAlive();
            driver.destroyForcibly();  // SIGKILL: no shutdown hook, no last checkpoint
            return training;
        });

        String report = run(args(data, whole, "--model", config.toString()));
        assertTrue(report.contains("spark:     " + TestRuns.MASTER), report);
        assertTrue(killedWhileTraining.get(), "the driver was still training when killed:\n"
                + Files.readString(dir.resolve("killed.log")));
        driver.waitFor();
        assertTrue(!Files.exists(killed), "the killed run never got to save its model");
        Path newest;
        try (Stream<Path> files = Files.list(killed.getParent())) {
            newest = files.filter(f -> f.getFileName().toString().matches("ckpt-\\d+\\.safetensors"))
                    .max(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString()
                            .replaceAll("\\D", "")))).orElseThrow();
        }
        String resumed = run(args(data, killed, "--resume", newest.toString()));
        assertTrue(resumed.contains("resuming after step"), resumed);

        ClipModel expected = ModelFile.load(whole);
        ClipModel actual = ModelFile.load(killed);
        for (int t = 0; t < expected.tensors().size(); t++) {
            float[] a = expected.tensors().get(t).data();
            float[] b = actual.tensors().get(t).data();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-6 * Math.max(1e-3, Math.abs(a[i])),
                        expected.tensors().get(t).name() + "[" + i + "] after resuming from " + newest.getFileName());
            }
        }
    }
}
