package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM during training: the step finishes, the model is saved, the exit status is 143. */
class InterruptTest {

    @Test
    void sigtermSavesTheModelAndExits143(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--model", "seed", "--epochs", "100000", "--batch-size", "8",
                "--log-every", "50", "--out", model.toString());
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
        assertTrue(output.toString().contains("interrupted by SIGTERM"), output.toString());
        assertNotNull(ModelFile.load(model), "the saved model loads");
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
        var expected = ModelFile.load(whole);
        var actual = ModelFile.load(resumed);
        for (var t : expected.tensors()) {
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
