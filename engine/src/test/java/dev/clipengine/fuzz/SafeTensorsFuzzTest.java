package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clipengine.BadInputException;
import dev.clipengine.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes given to the safetensors reader either read or fail with a {@link BadInputException}:
 * never another exception, an OutOfMemoryError or a hang. Seeds in SafeTensorsFuzzTestInputs.
 */
class SafeTensorsFuzzTest {

    private static final Path FILE = FuzzFiles.temporaryFile(".safetensors");

    @FuzzTest(maxDuration = "20s")
    void readsOrRefuses(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        try {
            SafeTensors.read(FILE);
        } catch (BadInputException expected) {
            // the reader's one way of saying no
        }
    }
}
