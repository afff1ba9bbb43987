package dev.clipengine.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fuzzed bytes go through a real file, since the readers under test read files. */
final class FuzzFiles {

    private FuzzFiles() {
    }

    /** A temporary file, reused for every input, removed when the JVM exits. */
    static Path temporaryFile(String suffix) {
        try {
            Path file = Files.createTempFile("fuzz", suffix);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
