package dev.clipengine.cli;

import dev.clipengine.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
}
