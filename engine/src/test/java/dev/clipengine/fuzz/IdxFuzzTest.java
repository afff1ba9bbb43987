package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.clipengine.BadInputException;
import dev.clipengine.data.IdxFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes, raw or gzip, given to the IDX reader as images or as labels either read or fail
 * with a {@link BadInputException}. Seeds in IdxFuzzTestInputs.
 */
class IdxFuzzTest {

    private static final Path FILE = FuzzFiles.temporaryFile(".idx");

    @FuzzTest(maxDuration = "20s")
    void readsOrRefuses(byte[] bytes) throws IOException {
        Files.write(FILE, bytes);
        try {
            IdxFile.readImages(FILE);
        } catch (BadInputException expected) {
            // the reader's one way of saying no
        }
        try {
            IdxFile.readLabels(FILE, 10);
        } catch (BadInputException expected) {
            // likewise for labels
        }
    }
}
