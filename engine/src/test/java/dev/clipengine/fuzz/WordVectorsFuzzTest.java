package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.data.WordVectors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes, raw or gzip, given to the word-vector reader, whole or for the tokenizer's first
 * words, either read or fail with a one-line {@link dev.clipengine.BadInputException}, allocating
 * for what the content holds, not for what a header claims; gzip input is read twice, the second
 * time padded so that its header's claim passes the check against the file's size
 * ({@link FuzzChecks#paddedGzip}). Seeds in WordVectorsFuzzTestInputs.
 */
class WordVectorsFuzzTest {

    private static final Path FILE = FuzzFiles.temporaryFile(".vec");

    @FuzzTest(maxDuration = "12s")
    void readsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] bytes) throws IOException {
        long content = FuzzChecks.contentBytes(bytes);
        for (byte[] file : new byte[][] {bytes, FuzzChecks.paddedGzip(bytes)}) {
            if (file != null) {
                Files.write(FILE, file);
                FuzzChecks.readsOrRefusesWithin(content, "reading every vector", () -> WordVectors.read(FILE));
                FuzzChecks.readsOrRefusesWithin(content, "reading the tokenizer's first 3 words",
                        () -> WordVectors.readForTokenizer(FILE, 3));
            }
        }
    }
}
