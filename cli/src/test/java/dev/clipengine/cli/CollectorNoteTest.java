package dev.clipengine.cli;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under a collector whose JIT output leaves the 256-bit product kernel half as fast, {@code train}
 * says so with the flag that fixes it; under G1 it says nothing. Each case is a JVM of its own: the
 * collector is chosen when the JVM starts.
 */
class CollectorNoteTest {

    @Test
    void serialAndParallelAreNamedWithTheFlagThatFixesThemWhereTheNarrowKernelRuns(@TempDir Path dir)
            throws Exception {
        String arch = System.getProperty("os.arch");
        // measured on x86 with 256-bit vectors; the 512-bit kernel was not seen to suffer
        boolean noted = FloatVector.SPECIES_PREFERRED.vectorBitSize() <= 256
                && (arch.equals("amd64") || arch.equals("x86_64"));
        for (String collector : List.of("Serial", "Parallel")) {
            String output = train(dir, "-XX:+Use" + collector + "GC");
            assertEquals(noted, output.contains("note: this JVM runs the " + collector + " garbage collector, under "
                    + "which"), output);
            assertEquals(noted, output.contains("start java with -XX:+UseG1GC"), output);
        }
        String g1 = train(dir, "-XX:+UseG1GC");
        assertFalse(g1.contains("garbage collector"), g1);
    }

    private static String train(Path dir, String collector) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), collector,
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--steps", "2", "--batch-size", "8", "--backend", "vector",
                "--quiet", "--no-pictures", "--out", dir.resolve("m.safetensors").toString());
        Path log = dir.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // a collector named in the environment would clash with the one given here
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(!process.isAlive() && process.exitValue() == 0, "train under " + collector + ": " + text);
        return text;
    }
}
