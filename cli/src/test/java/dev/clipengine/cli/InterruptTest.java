package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import dev.clipengine.io.TrainingCheckpoint;
import dev.clipengine.model.ClipModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM during training: the step finishes, its model and checkpoint are saved, the exit status is 143. */
class InterruptTest {

    @Test
    void sigtermFinishesTheStepSavesItsModelAndExits143(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        List<String> options = List.of("--model", "seed", "--batch-size", "8", "--backend", "vector", "--no-pictures");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--epochs", "100000", "--log-every", "50", "--out", model.toString()));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            String line;
            boolean signalled = false;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (!signalled && line.startsWith("step ")) {
                    // kill, not Process.destroy: destroy also closes the output still being read
                    new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
                    signalled = true;
                }
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), output.toString());
        assertEquals(143, process.exitValue(), output.toString());
        Matcher stopped = Pattern.compile("interrupted by SIGTERM after step (\\d+) of (\\d+)").matcher(output);
        assertTrue(stopped.find(), output.toString());
        long step = Long.parseLong(stopped.group(1));
        assertTrue(step >= 50 && step < Long.parseLong(stopped.group(2)), "stopped between the first line and the end: "
                + output);

        // the saved model is the one after that step, whole: an uninterrupted run of as many steps ends with it
        Path whole = dir.resolve("whole.safetensors");
        List<String> uninterrupted = new java.util.ArrayList<>(List.of("train", "--steps", Long.toString(step),
                "--quiet", "--out", whole.toString()));
        uninterrupted.addAll(options);
        TrainCommandTest.Result r = TrainCommandTest.run(uninterrupted.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertBitwiseEqual(ModelFile.load(whole), ModelFile.load(model), "the model saved on SIGTERM");

        // and the run is saved to a checkpoint of that step, beside the model
        Path checkpoint = dir.resolve(TrainingCheckpoint.fileName(step));
        assertTrue(output.toString().contains(checkpoint.toString()), output.toString());
        assertBitwiseEqual(ModelFile.load(whole), TrainingCheckpoint.load(checkpoint).model(), "the checkpoint's model");
    }

    @Test
    void afterKillNineTheResumedRunEndsWithTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        List<String> options = List.of("--steps", "20000", "--batch-size", "8", "--lr", "0.01", "--quiet");
        Path checkpoints = dir.resolve("ckpt");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--model", "seed", "--save-every", "100", "--keep", "0",
                "--save-dir", checkpoints.toString(), "--out", dir.resolve("killed.safetensors").toString()));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!java.nio.file.Files.exists(checkpoints.resolve("ckpt-00000300.safetensors"))
                && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
        assertEquals(137, process.exitValue(), "killed before the end: " + java.nio.file.Files.readString(
                dir.resolve("child.log")));

        Path resumed = dir.resolve("resumed.safetensors");
        List<String> resume = new java.util.ArrayList<>(List.of("train", "--resume", checkpoints.toString(), "--out",
                resumed.toString()));
        resume.addAll(options);
        TrainCommandTest.Result r = TrainCommandTest.run(resume.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());

        Path whole = dir.resolve("whole.safetensors");
        List<String> uninterrupted = new java.util.ArrayList<>(List.of("train", "--model", "seed", "--out",
                whole.toString()));
        uninterrupted.addAll(options);
        assertEquals(0, TrainCommandTest.run(uninterrupted.toArray(String[]::new)).status());
        assertBitwiseEqual(ModelFile.load(whole), ModelFile.load(resumed), "the resumed run's model");
    }

    private static void assertBitwiseEqual(ClipModel expected, ClipModel actual, String what) {
        for (var t : expected.tensors()) {
            int[] a = new int[t.size()];
            int[] b = new int[t.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = Float.floatToRawIntBits(t.data()[i]);
                b[i] = Float.floatToRawIntBits(actual.tensor(t.name()).data()[i]);
            }
            assertArrayEquals(a, b, what + ": " + t.name());
        }
    }
}
