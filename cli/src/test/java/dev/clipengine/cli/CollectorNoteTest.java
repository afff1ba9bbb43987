package dev.clipengine.cli;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under a collector whose JIT output leaves the 256-bit product kernel half as fast, {@code train}
 * says so with the flag that fixes it; under G1 it says nothing. Each case is a JVM of its own: the
 * collector is chosen when the JVM starts.
 */
class CollectorNoteTest {

    private static final String NOTE = "note: this JVM runs the Serial garbage collector";

    @Test
    void serialCollectorIsNamedWithTheFlagThatFixesItWhereTheNarrowKernelRuns(@TempDir Path dir) throws Exception {
        String serial = train(dir, "-XX:+UseSerialGC");
        // the 512-bit kernel was not seen to suffer, so wide machines get no note
        boolean narrow = FloatVector.SPECIES_PREFERRED.vectorBitSize() <= 256;
        assertEquals(narrow, serial.contains(NOTE + ", under which"), serial);
        if (narrow) {
            assertTrue(serial.contains("start java with -XX:+UseG1GC"), serial);
        }
        String g1 = train(dir, "-XX:+UseG1GC");
        assertTrue(!g1.contains("garbage collector"), g1);
    }

    private static String train(Path dir, String collector) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), collector,
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--steps", "2", "--batch-size", "8", "--backend", "vector",
                "--quiet", "--no-pictures", "--out", dir.resolve("m.safetensors").toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "train finished");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }
}
