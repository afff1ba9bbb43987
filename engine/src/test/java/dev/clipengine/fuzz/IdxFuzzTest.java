package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.data.IdxFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes, raw or gzip, given to the IDX reader as images or as labels either read or fail
 * with a one-line {@link dev.clipengine.BadInputException}, allocating for what the content holds,
 * not for what the header claims; gzip input is read twice, the second time padded so that its
 * header's claim passes the check against the file's size ({@link FuzzChecks#paddedGzip}). Seeds in
 * IdxFuzzTestInputs (the gzip ones stored uncompressed, so that mutations reach the header).
 */
class IdxFuzzTest {

    private static final Path FILE = FuzzFiles.temporaryFile(".idx");

    @FuzzTest(maxDuration = "12s")
    void readsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] bytes) throws IOException {
        long content = FuzzChecks.contentBytes(bytes);
        for (byte[] file : new byte[][] {bytes, FuzzChecks.paddedGzip(bytes)}) {
            if (file != null) {
                Files.write(FILE, file);
                FuzzChecks.readsOrRefusesWithin(content, "reading images", () -> IdxFile.readImages(FILE));
                FuzzChecks.readsOrRefusesWithin(content, "reading labels", () -> IdxFile.readLabels(FILE, 10));
            }
        }
    }
}
