package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.data.Resampling;
import dev.clipengine.data.TsvDataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes as the image a TSV row names (PNG, JPEG or neither, whatever the name says) either load
 * or fail with a one-line {@link dev.clipengine.BadInputException}, within the fuzzing JVM's small
 * heap: a header declaring a huge image is refused or decoded within the decode budget; with either
 * resampling. Seeds in
 * TsvImageFuzzTestInputs.
 */
class TsvImageFuzzTest {

    private static final Path FOLDER = folderWithTsv();

    /** pairs.tsv names image.png twice, so that two decodes of it may run at once. */
    private static Path folderWithTsv() {
        try {
            Path folder = Files.createTempDirectory("fuzz-image");
            folder.toFile().deleteOnExit();
            Path tsv = folder.resolve("pairs.tsv");
            Files.writeString(tsv, "filepath\ttitle\nimage.png\ta picture\nimage.png\tthe same picture\n",
                    StandardCharsets.UTF_8);
            tsv.toFile().deleteOnExit();
            folder.resolve("image.png").toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "12s")
    void loadsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] image) throws IOException {
        Files.write(FOLDER.resolve("image.png"), image);
        for (Resampling resampling : Resampling.values()) {
            FuzzChecks.readsOrRefuses(() -> TsvDataset.readPairs(FOLDER.resolve("pairs.tsv"), 8, 3, resampling));
        }
    }
}
