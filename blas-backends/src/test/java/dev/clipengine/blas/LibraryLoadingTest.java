package dev.clipengine.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which native libraries each backend loads, extraction by two JVMs at once, a missing library, and
 * that only the jar's bytes are loaded, from a folder only the user can write.
 */
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
        // OpenBLAS's threads spin briefly after a call, unless the user chose otherwise
        String own = System.getenv(OpenBlasLibrary.THREAD_TIMEOUT);
        assertTrue(result.output().contains(OpenBlasLibrary.THREAD_TIMEOUT + "=" + (own != null ? own : "16")),
                result.output());
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

    // ---- the extracted libraries: a private folder, and the jar's bytes only

    private static final String PLATFORM = OpenBlasLibrary.platform();

    private static Path openBlas(List<Path> libraries) {
        return libraries.getLast();
    }

    private static byte[] jarCopy(String file) throws Exception {
        try (InputStream in = OpenBlasLibrary.class.getClassLoader()
                .getResourceAsStream("org/bytedeco/openblas/" + PLATFORM + "/" + file)) {
            return MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
        }
    }

    private static byte[] sha256(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }

    @Test
    void extractsTheJarsBytesIntoAFolderOnlyTheUserCanWrite(@TempDir Path cache) throws Exception {
        List<Path> libraries = OpenBlasLibrary.extract(PLATFORM, cache);
        assertEquals(OpenBlasLibrary.files(PLATFORM), libraries.stream().map(p -> p.getFileName().toString()).toList());
        Path folder = openBlas(libraries).getParent();
        assertEquals(PrivateFolder.OWNER_ONLY, Files.getPosixFilePermissions(folder));
        for (Path library : libraries) {
            assertArrayEquals(jarCopy(library.getFileName().toString()), sha256(library), library.toString());
            assertTrue(PrivateFolder.isPrivate(library), library.toString());
        }
    }

    @Test
    void aSwappedLibraryIsExtractedAgainBeforeItIsLoaded(@TempDir Path cache) throws Exception {
        Path library = openBlas(OpenBlasLibrary.extract(PLATFORM, cache));
        // another library in its place: loading it would fail the OpenBLAS check, or worse
        Files.copy(library.resolveSibling("libgfortran.so.5"), library, StandardCopyOption.REPLACE_EXISTING);
        Jvm.Result result = Jvm.run(List.of("-Dclip.cache.dir=" + cache), "product", "blas");
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("product 1.0 2.0 3.0 4.0"), result.output());
        assertArrayEquals(jarCopy("libopenblas.so.0"), sha256(library));
    }

    @Test
    void aFolderOthersCouldWriteIsMadePrivateAndItsFilesCheckedAfresh(@TempDir Path cache) throws Exception {
        Path library = openBlas(OpenBlasLibrary.extract(PLATFORM, cache));
        Path folder = library.getParent();
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.write(library, new byte[] {0x7F, 'E', 'L', 'F'});
        OpenBlasLibrary.extract(PLATFORM, cache);
        assertEquals(PrivateFolder.OWNER_ONLY, Files.getPosixFilePermissions(folder));
        assertArrayEquals(jarCopy("libopenblas.so.0"), sha256(library));
    }

    @Test
    void aLibraryOthersCouldWriteOrALinkIsReplacedByThePrivateCopy(@TempDir Path cache, @TempDir Path elsewhere)
            throws Exception {
        List<Path> libraries = OpenBlasLibrary.extract(PLATFORM, cache);
        Path writable = libraries.getFirst();
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
        // a link to the same bytes in a folder someone else might control
        Path library = openBlas(libraries);
        Path outside = Files.copy(library, elsewhere.resolve("libopenblas.so.0"));
        Files.delete(library);
        Files.createSymbolicLink(library, outside);
        OpenBlasLibrary.extract(PLATFORM, cache);
        assertFalse(Files.isSymbolicLink(library));
        assertTrue(PrivateFolder.isPrivate(library));
        assertTrue(PrivateFolder.isPrivate(writable));
    }

    @Test
    void aFolderOfAnotherUserIsRefused(@TempDir Path cache) throws Exception {
        Path folder = openBlas(OpenBlasLibrary.extract(PLATFORM, cache)).getParent();
        UserPrincipal nobody;
        try {
            nobody = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(folder, nobody);
        } catch (IOException e) {
            // only root can give a folder away; elsewhere this case cannot be set up
            Assumptions.abort("cannot give " + folder + " to nobody: " + e);
            return;
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> OpenBlasLibrary.extract(PLATFORM, cache));
        assertEquals(folder + " belongs to nobody, not to " + System.getProperty("user.name") + "; its libraries are "
                + "not loaded (remove it, or give another cache with -Dclip.cache.dir)", e.getMessage());
    }
}
