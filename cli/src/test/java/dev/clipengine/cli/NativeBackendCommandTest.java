package dev.clipengine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --backend blas} as a user runs it, each in a fresh JVM: the native library is
 * loaded (or found missing) once per process, so only a new process starts from nothing.
 */
class NativeBackendCommandTest {

    private record Run(int status, String out, String err) {
        /** Standard error without the JVM's own warnings (incubator module, native access). */
        List<String> errorLines() {
            return err.lines().filter(line -> !line.startsWith("WARNING:")).toList();
        }

        String all() {
            return "standard output:\n" + out + "\nstandard error:\n" + err;
        }
    }

    @Test
    void aBlasTrainingLoadsOpenBlasAndNoJniLibraryAndSaysWhichOpenBlas(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Run run = run(List.of("-Xlog:library=info", "-Dclip.cache.dir=" + dir.resolve("cache")),
                "train", "--backend", "blas", "--threads", "2", "--model", "seed", "--steps", "5", "--batch-size", "8",
                "--out", model.toString());
        assertEquals(0, run.status(), run.all());
        assertTrue(Files.exists(model), run.all());
        String backendLine = run.out().lines().filter(line -> line.startsWith("backend:")).findFirst().orElse("");
        assertTrue(backendLine.matches("backend: +blas \\(OpenBLAS \\d+\\.\\d+\\.\\d+, core \\S+, 2 threads;.*"),
                "the OpenBLAS version, core and thread count: " + backendLine);
        List<String> loaded = run.out().lines().filter(line -> line.contains("Loaded library")).toList();
        assertTrue(loaded.stream().anyMatch(line -> line.contains("/libopenblas.so")), run.all());
        List<String> jni = loaded.stream().filter(line -> line.contains("/libjni")).toList();
        assertTrue(jni.isEmpty(), "a blas training loaded JavaCPP's JNI libraries: " + jni);
    }

    @Test
    void blasWithoutItsLibraryExitsTwoWithOneLineNamingTheOtherBackends(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Run run = run(List.of("-Dclip.openblas.library=/nonexistent/libopenblas.so.0"),
                "train", "--backend", "blas", "--model", "seed", "--steps", "1", "--batch-size", "8",
                "--out", model.toString());
        assertEquals(2, run.status(), run.all());
        List<String> lines = run.errorLines();
        assertEquals(1, lines.size(), "one line: " + lines);
        String line = lines.getFirst();
        assertTrue(line.contains("blas") && line.contains("/nonexistent/libopenblas.so.0"), line);
        assertTrue(line.contains("scalar and vector"), "which backends remain: " + line);
        assertFalse(Files.exists(model), "nothing is saved");
    }

    private static Run run(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path errors = Files.createTempFile("native-backend", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean ended = process.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String err = Files.readString(errors);
            assertTrue(ended, "the training did not end in 120 s:\n" + out + "\n" + err);
            return new Run(process.exitValue(), out, err);
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
