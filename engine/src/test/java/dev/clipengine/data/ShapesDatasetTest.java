package dev.clipengine.data;

import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapesDatasetTest {

    private static final PairDataset DATA = ShapesDataset.generate(32, 3, 7, 2_000, 300);

    private static Set<String> trainingWords() {
        return DATA.train().stream().flatMap(e -> Vocabulary.words(e.caption()).stream()).collect(Collectors.toSet());
    }

    @Test
    void sameSeedGivesTheSamePairsAndAnotherSeedOthers() {
        PairDataset again = ShapesDataset.generate(32, 3, 7, 2_000, 300);
        PairDataset other = ShapesDataset.generate(32, 3, 8, 2_000, 300);
        for (List<List<Example>> splits : List.of(List.of(DATA.train(), again.train(), other.train()),
                List.of(DATA.heldOut(), again.heldOut(), other.heldOut()))) {
            List<Example> first = splits.get(0);
            List<Example> same = splits.get(1);
            List<Example> different = splits.get(2);
            int differing = 0;
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i).pixels(), same.get(i).pixels());
                assertEquals(first.get(i).caption(), same.get(i).caption());
                assertEquals(first.get(i).label(), same.get(i).label());
                if (!Arrays.equals(first.get(i).pixels(), different.get(i).pixels())) {
                    differing++;
                }
            }
            assertEquals(first.size(), differing, "every image changes with the seed");
        }
    }

    @Test
    void growingOneSplitChangesNeitherItsFirstPairsNorTheOtherSplit() {
        PairDataset small = ShapesDataset.generate(32, 3, 7, 500, 100);
        for (int i = 0; i < 500; i++) {
            assertArrayEquals(DATA.train().get(i).pixels(), small.train().get(i).pixels());
        }
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(DATA.heldOut().get(i).pixels(), small.heldOut().get(i).pixels());
        }
    }

    @Test
    void heldOutCombinationsNeverAppearInTraining() {
        Set<Integer> trainLabels = new HashSet<>();
        Set<List<Integer>> trainedColourShapes = new HashSet<>();
        for (Example e : DATA.train()) {
            assertFalse(ShapesDataset.isHeldOut(e.label()), e.caption());
            trainLabels.add(e.label());
            trainedColourShapes.add(List.of(ShapesDataset.colourOf(e.label()), ShapesDataset.shapeOf(e.label())));
        }
        Set<Integer> heldOutLabels = new HashSet<>();
        Set<Integer> heldOutColours = new HashSet<>();
        for (Example e : DATA.heldOut()) {
            assertTrue(ShapesDataset.isHeldOut(e.label()), e.caption());
            assertFalse(trainLabels.contains(e.label()), e.caption());
            // composed from a trained colour-shape pair and a trained size
            assertTrue(trainedColourShapes.contains(List.of(ShapesDataset.colourOf(e.label()),
                    ShapesDataset.shapeOf(e.label()))), e.caption());
            heldOutLabels.add(e.label());
            heldOutColours.add(ShapesDataset.colourOf(e.label()));
        }
        assertEquals(12, heldOutLabels.size(), "two combinations per colour, all of them drawn");
        assertEquals(ShapesDataset.colourWords().size(), heldOutColours.size());
        assertEquals(ShapesDataset.classCount() - heldOutLabels.size(), trainLabels.size(),
                "every seen combination is drawn");
    }

    @Test
    void everyColourAndShapeIsTrainedAndEveryClassNameUsesTrainedWords() {
        Set<String> words = trainingWords();
        assertTrue(words.containsAll(ShapesDataset.colourWords()), words.toString());
        assertTrue(words.containsAll(ShapesDataset.shapeWords()), words.toString());
        assertTrue(words.containsAll(List.of("small", "big")), words.toString());
        for (String name : DATA.classNames()) {
            assertTrue(words.containsAll(Vocabulary.words(name)), name);
        }
    }

    @Test
    void labelsIndexClassNamesWhoseWordsTheCaptionsShare() {
        List<String> names = DATA.classNames();
        assertEquals(ShapesDataset.classCount(), names.size());
        assertEquals(names.size(), new HashSet<>(names).size(), "class names are distinct");
        assertEquals(60, names.size());
        assertEquals("a small red square", names.get(0));
        for (List<Example> split : List.of(DATA.train(), DATA.heldOut())) {
            for (Example e : split) {
                Set<String> captionWords = new HashSet<>(Vocabulary.words(e.caption()));
                List<String> nameWords = Vocabulary.words(names.get(e.label()));
                // the name minus its article: size, colour and shape
                assertTrue(captionWords.containsAll(nameWords.subList(1, nameWords.size())),
                        e.caption() + " vs " + names.get(e.label()));
            }
        }
    }

    @Test
    void captionsComeFromSeveralTemplates() {
        int smallRedCircle = ShapesDataset.label(0, 1, 0);
        Set<String> captions = DATA.train().stream().filter(e -> e.label() == smallRedCircle)
                .map(Example::caption).collect(Collectors.toSet());
        assertTrue(captions.contains("a small red circle"), captions.toString());
        assertTrue(captions.size() >= 5, captions.toString());
    }

    @ParameterizedTest
    @CsvSource({"4, 1", "4, 3", "28, 1", "28, 3", "32, 1", "32, 3"})
    void rendersAtEverySizeAndChannelCount(int imageSize, int channels) {
        PairDataset data = ShapesDataset.generate(imageSize, channels, 3, 200, 50);
        assertEquals(200, data.train().size());
        assertEquals(50, data.heldOut().size());
        for (Example e : data.train()) {
            assertEquals(channels, e.channels());
            assertEquals(imageSize, e.size());
            assertEquals(channels * imageSize * imageSize, e.pixels().length);
            if (imageSize >= 16) { // at 4 pixels a small shape is smaller than a pixel: only a faint blob
                int brightest = 0;
                int darkest = 255;
                for (byte value : e.pixels()) {
                    brightest = Math.max(brightest, value & 0xFF);
                    darkest = Math.min(darkest, value & 0xFF);
                }
                assertTrue(brightest - darkest > 25, "the shape stands out from the background: " + e.caption());
            }
        }
    }

    @Test
    void oneChannelIsTheLuminanceOfTheColourImage() {
        PairDataset grey = ShapesDataset.generate(32, 1, 7, 50, 0);
        int plane = 32 * 32;
        for (int i = 0; i < 50; i++) {
            byte[] rgb = DATA.train().get(i).pixels();
            byte[] luminance = grey.train().get(i).pixels();
            for (int p = 0; p < plane; p++) {
                assertEquals(ImageLoader.luminance(rgb[p] & 0xFF, rgb[plane + p] & 0xFF, rgb[2 * plane + p] & 0xFF),
                        luminance[p] & 0xFF);
            }
        }
    }

    @Test
    void bigShapesCoverMorePixelsThanSmallOnes() {
        // the size attribute must be learnable from how much of the image differs from the background
        int minBig = Integer.MAX_VALUE;
        int maxSmall = 0;
        for (Example e : DATA.train()) {
            int covered = coveredPixels(e);
            if (ShapesDataset.sizeOf(e.label()) == 0) {
                maxSmall = Math.max(maxSmall, covered);
            } else {
                minBig = Math.min(minBig, covered);
            }
        }
        assertTrue(maxSmall < minBig, "small up to " + maxSmall + " pixels, big from " + minBig);
    }

    /** Pixels at least 60 brighter in some channel than the image's darkest (background) value. */
    private static int coveredPixels(Example e) {
        byte[] pixels = e.pixels();
        int plane = e.size() * e.size();
        int darkest = 255;
        for (int p = 0; p < plane; p++) {
            darkest = Math.min(darkest, pixels[p] & 0xFF);
        }
        int covered = 0;
        for (int p = 0; p < plane; p++) {
            int max = 0;
            for (int c = 0; c < e.channels(); c++) {
                max = Math.max(max, pixels[c * plane + p] & 0xFF);
            }
            if (max > darkest + 60) {
                covered++;
            }
        }
        return covered;
    }
}
