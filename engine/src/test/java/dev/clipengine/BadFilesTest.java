package dev.clipengine;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each file of the committed bad-file corpus (resources dev/clipengine/bad-files, see its README),
 * read by its reader in a JVM of 512 MB heap that ends on running out of memory, gives exactly the
 * outcome of expected.tsv: one line and status 2 for bad input, or a complete read. A reader that
 * allocated for a header's claim would end that JVM with status 3 instead, and one that opened a
 * FIFO would never end.
 */
class BadFilesTest {

    private static final String HEAP = "-Xmx512m";
    /** The readers decode images on the common pool: as many threads as a large machine has. */
    private static final int THREADS = 8;

    @TempDir
    static Path corpus;

    @TestFactory
    Stream<DynamicTest> eachFileGivesItsOutcomeInA512MegabyteHeap()
            throws IOException, URISyntaxException, InterruptedException {
        Path source = Path.of(Objects.requireNonNull(getClass().getResource("/dev/clipengine/bad-files/expected.tsv"))
                .toURI()).getParent();
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, corpus.resolve(file.getFileName()));
            }
        }
        Fifo.make(corpus.resolve("pipe.png")); // git cannot hold a FIFO: fifo.tsv names this one
        List<String> lines = Files.readAllLines(corpus.resolve("expected.tsv"));
        assertFalse(lines.isEmpty(), "expected.tsv is empty");
        return lines.stream().map(line -> {
            String[] fields = line.split("\t");
            Path file = corpus.resolve(fields[0]);
            String expected = fields[3].replace("{file}", file.toString()).replace("{dir}", corpus.toString());
            return DynamicTest.dynamicTest(fields[0], () -> {
                Probe probe = probe(fields[1], file);
                String said = probe.status == 0 ? probe.out : probe.err;
                assertEquals(Integer.parseInt(fields[2]), probe.status, fields[0] + ": " + probe);
                assertEquals(List.of(expected), said.strip().lines().toList(), fields[0] + ": " + probe);
            });
        });
    }

    private record Probe(int status, String out, String err) {

        @Override
        public String toString() {
            return "status " + status + ", output [" + out.strip() + "], errors [" + err.strip() + "]";
        }
    }

    private static Probe probe(String reader, Path file) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:+ExitOnOutOfMemoryError", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + THREADS,
                "-cp", System.getProperty("java.class.path"), ReaderProbe.class.getName(), reader, file.toString()));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly().waitFor();
        }
        Probe probe = new Probe(process.exitValue(), out.join(), err.join());
        assertTrue(ended, reader + " " + file + " did not end within 60 s: " + probe);
        return probe;
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
