package dev.clipengine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import dev.clipengine.data.Resampling;
import dev.clipengine.data.TsvDataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any TSV text, naming real, missing or broken images, either loads or fails with a one-line
 * {@link dev.clipengine.BadInputException}. Seeds in TsvFuzzTestInputs.
 */
class TsvFuzzTest {

    private static final Path FOLDER = folderWithImages();

    /** a.png is a real 4x4 image, b.png is not an image: fuzzed rows may name either. */
    private static Path folderWithImages() {
        try {
            Path folder = Files.createTempDirectory("fuzz-tsv");
            folder.toFile().deleteOnExit();
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", folder.resolve("a.png").toFile());
            Files.write(folder.resolve("b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
            folder.resolve("a.png").toFile().deleteOnExit();
            folder.resolve("b.png").toFile().deleteOnExit();
            return folder;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "12s")
    void loadsOrRefuses(@WithLength(max = FuzzChecks.MAX_INPUT_BYTES) byte[] text) throws IOException {
        Path tsv = FOLDER.resolve("pairs.tsv");
        Files.write(tsv, text);
        // images are decoded on several threads: the heap's limit, not this thread's count, bounds them
        FuzzChecks.readsOrRefuses(() -> TsvDataset.load(tsv, 4, 3, Resampling.BILINEAR, 0.25));
    }
}
