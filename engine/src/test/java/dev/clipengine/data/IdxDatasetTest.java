package dev.clipengine.data;

import dev.clipengine.BadInputException;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxDatasetTest {

    private static final int TRAIN = 20;
    private static final int TEST = 10;

    @TempDir
    Path folder;

    /**
     * A fake Fashion-MNIST: image i of the training files is filled with i, of the test files with
     * 100 + i, so every split's order and origin can be seen; label i % 10. Training files are
     * gzip, test files raw, as both occur.
     */
    @BeforeEach
    void writeFolder() {
        writeSet(folder, "train", TRAIN, 0, true);
        writeSet(folder, "t10k", TEST, 100, false);
    }

    private static void writeSet(Path dir, String prefix, int count, int firstValue, boolean gzip) {
        byte[][] images = IntStream.range(0, count).mapToObj(i -> IdxFiles.filled(28, 28, firstValue + i))
                .toArray(byte[][]::new);
        int[] labels = IntStream.range(0, count).map(i -> i % 10).toArray();
        byte[] imageBytes = IdxFiles.images(28, 28, images);
        byte[] labelBytes = IdxFiles.labels(labels);
        String suffix = gzip ? ".gz" : "";
        IdxFiles.write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), gzip ? IdxFiles.gzip(imageBytes) : imageBytes);
        IdxFiles.write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), gzip ? IdxFiles.gzip(labelBytes) : labelBytes);
    }

    private IdxDataset.Splits load(int imageSize, int channels, double valSplit, long seed) {
        return IdxDataset.load("fashion-mnist:" + folder, imageSize, channels, Resampling.BILINEAR, valSplit, seed);
    }

    @Test
    void splitsTrainingValidationAndTest() {
        IdxDataset.Splits splits = load(28, 1, 0.25, 1);
        assertEquals("fashion-mnist", splits.name());
        assertEquals(15, splits.train().size());
        assertEquals(5, splits.validation().size());
        assertEquals(TEST, splits.test().size());
        // validation is the end of the training files; test is the test files only
        for (int i = 0; i < 15; i++) {
            assertEquals(i, splits.train().get(i).pixels()[0]);
            assertEquals(i % 10, splits.train().get(i).label());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(15 + i, splits.validation().get(i).pixels()[0]);
        }
        for (int i = 0; i < TEST; i++) {
            assertEquals(100 + i, splits.test().get(i).pixels()[0]);
            assertEquals(i, splits.test().get(i).label());
        }

        PairDataset training = splits.training();
        assertEquals(splits.train(), training.train());
        assertEquals(splits.validation(), training.heldOut());
        PairDataset testing = splits.testing();
        assertTrue(testing.train().isEmpty());
        assertEquals(splits.test(), testing.heldOut());
    }

    @Test
    void withoutAValidationSplitAllTrainingFilesTrain() {
        IdxDataset.Splits splits = load(28, 1, 0, 1);
        assertEquals(TRAIN, splits.train().size());
        assertTrue(splits.validation().isEmpty());
    }

    @Test
    void hasTheFashionClassesAndTheirPrompts() {
        IdxDataset.Splits splits = load(28, 1, 0, 1);
        List<String> names = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
                "bag", "ankle boot");
        assertEquals(names, splits.training().classNames());
        List<List<String>> prompts = splits.training().classPrompts();
        assertEquals(10, prompts.size());
        assertTrue(prompts.get(9).contains("a photo of a ankle boot."), prompts.get(9).toString());
        assertEquals(splits.captions().templateCount(), prompts.get(0).size());
    }

    @Test
    void captionsComeFromTheTemplatesAndVaryAcrossPairs() {
        IdxDataset.Splits splits = load(28, 1, 0, 1);
        TemplateCaptions captions = splits.captions();
        Set<String> used = new HashSet<>();
        for (Example e : splits.train()) {
            List<String> ofClass = captions.classPrompts().get(e.label());
            assertTrue(ofClass.contains(e.caption()), e.caption());
            used.add(e.caption().replace(captions.classNames().get(e.label()), "{}"));
        }
        assertTrue(used.size() > 1, "one template for all: " + used);
    }

    @Test
    void trainingCaptionsAreRedrawnEachEpochFromTheSeed() {
        IdxDataset.Splits splits = load(28, 1, 0, 1);
        EpochCaptions draws = splits.trainCaptions();
        assertEquals(0, draws.epoch());
        List<String> epoch0 = IntStream.range(0, TRAIN).mapToObj(draws::caption).toList();
        assertEquals(splits.train().stream().map(Example::caption).toList(), epoch0);

        draws.draw(1);
        List<String> epoch1 = IntStream.range(0, TRAIN).mapToObj(draws::caption).toList();
        assertNotEquals(epoch0, epoch1);
        for (int i = 0; i < TRAIN; i++) {
            assertEquals(i % 10, draws.label(i));
            assertSame(splits.captions().caption(i % 10, draws.template(i)), epoch1.get(i));
        }
        draws.draw(0);
        assertEquals(epoch0, IntStream.range(0, TRAIN).mapToObj(draws::caption).toList());

        // the same seed repeats; another seed draws otherwise; held-out captions ignore the seed
        IdxDataset.Splits again = load(28, 1, 0, 1);
        assertEquals(splits.train().stream().map(Example::caption).toList(),
                again.train().stream().map(Example::caption).toList());
        IdxDataset.Splits other = load(28, 1, 0, 2);
        assertNotEquals(splits.train().stream().map(Example::caption).toList(),
                other.train().stream().map(Example::caption).toList());
        assertEquals(splits.test().stream().map(Example::caption).toList(),
                other.test().stream().map(Example::caption).toList());
    }

    @Test
    void passesExactSizeGreyImagesThroughAndRepeatsThemForColour() {
        IdxDataset.Splits grey = load(28, 1, 0, 1);
        assertEquals(1, grey.train().get(3).channels());
        assertEquals(28 * 28, grey.train().get(3).pixels().length);

        IdxDataset.Splits colour = load(28, 3, 0, 1);
        Example e = colour.train().get(3);
        assertEquals(3, e.channels());
        assertArrayEquals(IdxFiles.filled(1, 3 * 28 * 28, 3), e.pixels());
    }

    @Test
    void resizesToOtherModelSizes() {
        IdxDataset.Splits small = load(14, 1, 0, 1);
        Example e = small.train().get(7);
        assertEquals(14, e.size());
        assertArrayEquals(IdxFiles.filled(14, 14, 7), e.pixels()); // a flat image stays flat

        // a real resize: left half black, right half white, to 14 pixels keeps the edge in the middle
        byte[] halves = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 14; x < 28; x++) {
                halves[y * 28 + x] = (byte) 255;
            }
        }
        byte[] resized = IdxDataset.toModel(halves, 28, 28, 14, 3, Resampling.BILINEAR);
        assertEquals(3 * 14 * 14, resized.length);
        assertEquals(0, resized[0]);
        assertEquals((byte) 255, resized[13]);
        assertEquals((byte) 255, resized[2 * 14 * 14 + 13]); // the grey value in every channel
    }

    @Test
    void readsMnistWithRawFilesAndDigitWords() {
        Path mnist = folder.resolve("mnist");
        writeSet(mnist, "train", 12, 0, false);
        writeSet(mnist, "t10k", 10, 50, true);
        IdxDataset.Splits splits = IdxDataset.load("mnist:" + mnist, 28, 1, Resampling.BILINEAR, 0.5, 3);
        assertEquals("mnist", splits.name());
        assertEquals(6, splits.train().size());
        assertEquals(6, splits.validation().size());
        assertEquals("zero", splits.captions().classNames().get(0));
        assertEquals("nine", splits.captions().classNames().get(9));
        assertTrue(IdxDataset.isSource("mnist:" + mnist));
        assertTrue(IdxDataset.isSource("fashion-mnist:x"));
        assertFalse(IdxDataset.isSource("pairs.tsv"));
    }

    @Test
    void theTestSplitLoadsWithoutTheTrainingFiles() throws IOException {
        Files.delete(folder.resolve("train-images-idx3-ubyte.gz"));
        PairDataset test = IdxDataset.loadTest("fashion-mnist:" + folder, 28, 1, Resampling.BILINEAR);
        assertEquals(TEST, test.heldOut().size());
        assertTrue(test.train().isEmpty());
        assertEquals(10, test.classNames().size());
        assertEquals(load28TestCaptions(), test.heldOut().stream().map(Example::caption).toList());
    }

    /** The test captions as a full load gives them, rebuilt after the training files are gone. */
    private List<String> load28TestCaptions() {
        writeSet(folder, "train", TRAIN, 0, true);
        return load(28, 1, 0.1, 99).test().stream().map(Example::caption).toList();
    }

    @Test
    void everyCaptionEncodesWithAVocabularyOfAllCaptions() {
        TemplateCaptions captions = IdxDataset.Kind.FASHION_MNIST.captions();
        Vocabulary vocabulary = Vocabulary.fromCaptions(captions.allCaptions());
        int[][][] ids = captions.encode(dev.clipengine.model.Tokenizer.of(ModelConfig.standard(vocabulary.size()), vocabulary));
        assertEquals(10, ids.length);
        for (int[][] ofClass : ids) {
            for (int[] caption : ofClass) {
                for (int id : caption) {
                    assertTrue(id > 0, "an unknown word");
                }
            }
        }
        // "t-shirt" and "shirt" stay distinct captions to a bag of words
        assertNotEquals(new HashSet<>(Vocabulary.words(captions.caption(0, 0))),
                new HashSet<>(Vocabulary.words(captions.caption(6, 0))));
    }

    @Test
    void namesMissingFilesAndFolders() throws IOException {
        Files.delete(folder.resolve("t10k-labels-idx1-ubyte"));
        String message = assertThrows(BadInputException.class, () -> load(28, 1, 0, 1)).getMessage();
        assertTrue(message.contains("no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"), message);
        assertTrue(message.contains("dataset-fashion-mnist"), message);

        message = assertThrows(BadInputException.class,
                () -> IdxDataset.load("mnist:" + folder.resolve("nowhere"), 28, 1, Resampling.BILINEAR, 0, 1)).getMessage();
        assertTrue(message.contains("no such folder"), message);
        message = assertThrows(BadInputException.class, () -> IdxDataset.load("mnist:", 28, 1, Resampling.BILINEAR, 0, 1)).getMessage();
        assertTrue(message.contains("no folder after the colon"), message);
    }

    @Test
    void refusesImagesAndLabelsThatDoNotPairUp() {
        IdxFiles.write(folder.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(1, 2, 3));
        String message = assertThrows(BadInputException.class, () -> load(28, 1, 0, 1)).getMessage();
        assertTrue(message.contains("has 10 images but") && message.contains("has 3 labels"), message);
    }

    @Test
    void refusesALabelBeyondTheClasses() {
        IdxFiles.write(folder.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(1, 2, 3, 4, 5, 6, 7, 8, 10, 0));
        String message = assertThrows(BadInputException.class, () -> load(28, 1, 0, 1)).getMessage();
        assertTrue(message.contains("label 10 at index 8"), message);
    }
}
