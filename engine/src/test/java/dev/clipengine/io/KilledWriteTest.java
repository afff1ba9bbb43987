package dev.clipengine.io;

import dev.clipengine.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A process killed with SIGKILL while it rewrites a file leaves a whole file, old or new, never a torn one. */
class KilledWriteTest {

    /** Rewrites args[0] forever, each time with every value equal to the round number. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        float[] values = new float[8 << 20]; // 32 MB: a write takes long enough to be caught in the middle
        for (int round = 1; ; round++) {
            java.util.Arrays.fill(values, round);
            SafeTensors.write(file, Map.of("round", Integer.toString(round)),
                    List.of(new Tensor("values", new int[] {values.length}, values)));
        }
    }

    @Test
    void aKillMidWriteLeavesTheLastWholeFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ckpt.safetensors");
        for (int attempt = 0; attempt < 3; attempt++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KilledWriteTest.class.getName(), file.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(file) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // some way into a later write
            Thread.sleep(150 + 70L * attempt);
            new ProcessBuilder("kill", "-9", Long.toString(writer.pid())).start().waitFor();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS));

            SafeTensors.Contents contents = SafeTensors.read(file); // checks the sha256 too
            float[] values = contents.tensors().get("values").data();
            float round = Float.parseFloat(contents.metadata().get("round"));
            for (int i = 0; i < values.length; i += 4099) {
                assertEquals(round, values[i], "value " + i + " belongs to the round the metadata names");
            }
            try (var files = Files.list(dir)) {
                // a temporary file of the killed write may remain; it never takes the target's name
                assertTrue(files.allMatch(f -> f.equals(file) || f.getFileName().toString().endsWith(".tmp")));
            }
        }
    }
}
