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
 * Under a collector whose JIT output would leave the 6-row, 256-bit product kernel half as fast,
 * the vector backend takes 4-row tiles and {@code train} names them on its backend line; under G1
 * it keeps 6 rows and says nothing of tiles. Each case is a JVM of its own: the collector is chosen
 * when the JVM starts.
 */
class CollectorTileTest {

    @Test
    void serialAndParallelTakeFourRowTilesWhereTheNarrowKernelRuns(@TempDir Path dir) throws Exception {
        String arch = System.getProperty("os.arch");
        // measured on x86 with 256-bit vectors; the 512-bit kernel, with 32 registers, does not spill
        boolean fourRows = FloatVector.SPECIES_PREFERRED.vectorBitSize() <= 256
                && (arch.equals("amd64") || arch.equals("x86_64"));
        for (String collector : List.of("Serial", "Parallel")) {
            String output = train(dir, "-XX:+Use" + collector + "GC");
            assertTrue(output.contains("backend:   vector ("), output);
            assertEquals(fourRows, output.contains(" floats a vector, 4-row tiles), "), output);
        }
        String g1 = train(dir, "-XX:+UseG1GC");
        assertTrue(g1.contains("backend:   vector ("), g1);
        assertFalse(g1.contains("tiles"), g1);
    }

    private static String train(Path dir, String collector) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), collector,
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--steps", "2", "--batch-size", "8", "--backend", "vector",
                "--no-pictures", "--out", dir.resolve("m.safetensors").toString());
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
