package dev.clipengine.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which native libraries each backend loads, extraction by two JVMs at once, and a missing library. */
class LibraryLoadingTest {

    @Test
    void blasLoadsOpenBlasAndNoJniLibrary(@TempDir Path cache) throws Exception {
        Jvm.Result result = Jvm.run(List.of("-Xlog:library=info", "-Dclip.cache.dir=" + cache), "product", "blas");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("product 1.0 2.0 3.0 4.0"), result.output());
        assertTrue(result.output().lines().anyMatch(line -> line.contains("libopenblas.so")), result.output());
        List<String> jni = result.output().lines().filter(line -> line.contains("libjni")).toList();
        assertTrue(jni.isEmpty(), "blas loaded JNI libraries: " + jni);
        assertTrue(result.output().contains("blas (OpenBLAS "), result.output());
    }

    @Test
    void javacppLoadsItsJniBridge(@TempDir Path cache) throws Exception {
        Jvm.Result result = Jvm.run(List.of("-Xlog:library=info", "-Dclip.cache.dir=" + cache), "product", "javacpp");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("product 1.0 2.0 3.0 4.0"), result.output());
        assertTrue(result.output().lines().anyMatch(line -> line.contains("libjniopenblas")), result.output());
        assertTrue(result.output().lines().anyMatch(line -> line.contains("libjnijavacpp")), result.output());
    }

    @Test
    void twoJvmsExtractingAtOnceBothSucceed(@TempDir Path cache) throws Exception {
        // both wait for the same instant, so that both find the cache empty and write at once
        String at = Long.toString(System.currentTimeMillis() + 3000);
        List<String> options = List.of("-Dclip.cache.dir=" + cache);
        Process first = Jvm.start(options, "extract", at);
        Process second = Jvm.start(options, "extract", at);
        for (Jvm.Result result : List.of(Jvm.finish(first), Jvm.finish(second))) {
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().contains("product 15.0"), result.output());
        }
        try (var folders = Files.list(cache)) {
            Path folder = folders.findFirst().orElseThrow();
            try (var files = Files.list(folder)) {
                List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".part")).toList();
                assertTrue(left.isEmpty(), "temporary files left behind: " + left);
            }
        }
    }

    @Test
    void aMissingLibraryIsReportedWithTheOtherBackends() throws Exception {
        Jvm.Result result = Jvm.run(List.of("-Dclip.openblas.library=/nonexistent/libopenblas.so.0"), "reason");
        assertEquals(0, result.exitCode(), result.output());
        String reason = result.output().lines().filter(line -> !line.startsWith("WARNING")).findFirst().orElse("");
        assertFalse(reason.isEmpty(), "a missing library was accepted");
        assertTrue(reason.contains("/nonexistent/libopenblas.so.0"), reason);
        assertTrue(reason.contains("scalar and vector"), reason);
    }

    @Test
    void aLibraryThatIsNotOpenBlasIsRefused() throws Exception {
        Jvm.Result result = Jvm.run(List.of("-Dclip.openblas.library=libc.so.6"), "reason");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("is not OpenBLAS"), result.output());
    }
}
