package dev.clipengine.data;

import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.TransformerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer family's preprocessing against Pillow itself: the images of
 * {@code fixtures/pillow-resize} (made by its {@code make_fixtures.py} with Pillow 9.4) and the
 * pixels OpenAI's own preprocessing gave the images of {@code fixtures/openai-clip-small}, each
 * compared byte for byte.
 */
class PillowResizeTest {

    static final Path PILLOW = Path.of("..", "fixtures", "pillow-resize");
    static final Path OPENAI = Path.of("..", "fixtures", "openai-clip-small");

    private static Map<String, Tensor> openAi;

    @TempDir
    Path folder;

    /** One line of cases.tsv: a source image, Pillow's mode for it, a size, Pillow's result. */
    record Case(String source, String mode, int size, String expected) {

        @Override
        public String toString() {
            return source + " (" + mode + ") at " + size;
        }
    }

    static List<Case> cases() throws IOException {
        List<String> lines = Files.readAllLines(PILLOW.resolve("cases.tsv"), StandardCharsets.UTF_8);
        assertEquals(List.of("source", "mode", "size", "expected"), List.of(lines.getFirst().split("\t")));
        List<Case> cases = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split("\t");
            cases.add(new Case(fields[0], fields[1], Integer.parseInt(fields[2]), fields[3]));
        }
        return cases;
    }

    @BeforeAll
    static void readOpenAiPixels() {
        openAi = SafeTensors.read(OPENAI.resolve("expected.safetensors")).tensors();
    }

    /** An 8-bit RGB PNG as {@code (c, y, x)} bytes. */
    private static byte[] rgbPlanes(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        Raster raster = image.getRaster();
        assertEquals(3, raster.getNumBands(), file + " is RGB");
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] planes = new byte[3 * width * height];
        int[] band = new int[width * height];
        for (int c = 0; c < 3; c++) {
            raster.getSamples(0, 0, width, height, c, band);
            for (int p = 0; p < band.length; p++) {
                planes[c * band.length + p] = (byte) band[p];
            }
        }
        return planes;
    }

    private static int differences(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length);
        int count = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                count++;
            }
        }
        return count;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFixtureIsPillowsResultByteForByte(Case c) throws IOException {
        byte[] expected = rgbPlanes(PILLOW.resolve("expected").resolve(c.expected()));
        assertEquals(3 * c.size() * c.size(), expected.length);
        byte[] actual = ImageLoader.read(PILLOW.resolve("sources").resolve(c.source()), c.size(), 3,
                Resampling.PILLOW_BICUBIC);
        assertEquals(0, differences(expected, actual), "bytes that differ from Pillow's for " + c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aGreyModelTakesTheGreyOfGreyImagesAndTheLuminanceOfColourOnes(Case c) throws IOException {
        byte[] rgb = rgbPlanes(PILLOW.resolve("expected").resolve(c.expected()));
        int plane = c.size() * c.size();
        byte[] expected = new byte[plane];
        for (int p = 0; p < plane; p++) {
            expected[p] = (byte) ImageLoader.luminance(rgb[p] & 0xFF, rgb[plane + p] & 0xFF, rgb[2 * plane + p] & 0xFF);
        }
        assertArrayEquals(expected, ImageLoader.read(PILLOW.resolve("sources").resolve(c.source()), c.size(), 1,
                Resampling.PILLOW_BICUBIC), c.toString());
    }

    @Test
    void theFixturesCoverEveryModeAndBothWaysOfResizing() throws IOException {
        List<Case> cases = cases();
        assertEquals(List.of("1", "L", "LA", "P", "RGB", "RGBA"),
                cases.stream().map(Case::mode).distinct().sorted().toList());
        // each source is seen shrunk or enlarged; most also at their own short side (cropped only)
        int croppedOnly = 0;
        for (String source : cases.stream().map(Case::source).distinct().toList()) {
            String[] size = source.replaceAll(".*-(\\d+)x(\\d+)\\..*", "$1 $2").split(" ");
            int shortSide = Math.min(Integer.parseInt(size[0]), Integer.parseInt(size[1]));
            List<Integer> sizes = cases.stream().filter(c -> c.source().equals(source)).map(Case::size).toList();
            assertTrue(sizes.stream().anyMatch(s -> s != shortSide), source + " is resized");
            croppedOnly += sizes.contains(shortSide) ? 1 : 0;
        }
        assertTrue(croppedOnly >= 10, croppedOnly + " sources are also only cropped");
        assertTrue(cases.stream().anyMatch(c -> c.source().endsWith(".jpg")));
    }

    @Test
    void pillowsBicubicIsNotTheCardsBilinear() throws IOException {
        // the fixtures would not tell the two apart if the resampling were not passed through
        int differing = 0;
        for (Case c : cases()) {
            Path source = PILLOW.resolve("sources").resolve(c.source());
            byte[] bicubic = ImageLoader.read(source, c.size(), 3, Resampling.PILLOW_BICUBIC);
            byte[] bilinear = ImageLoader.read(source, c.size(), 3, Resampling.BILINEAR);
            if (!Arrays.equals(bicubic, bilinear)) {
                differing++;
            }
        }
        assertTrue(differing >= 20, differing + " of the cases differ between the two filters");
    }

    /** OpenAI's normalised pixels back to bytes: {@code round((x * std + mean) * 255)}, checked to be near one. */
    private static byte[] openAiBytes(String tensor, int image) {
        PixelNormalization openAiStats = PixelNormalization.OPENAI;
        float[] data = openAi.get(tensor).data();
        int plane = 32 * 32;
        byte[] bytes = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                double value = (data[(image * 3 + c) * plane + p] * openAiStats.std()[c] + openAiStats.mean()[c])
                        * 255;
                long rounded = Math.round(value);
                assertTrue(Math.abs(value - rounded) < 1e-3, "a whole byte: " + value);
                bytes[c * plane + p] = (byte) rounded;
            }
        }
        return bytes;
    }

    @Test
    void openAisPreprocessedImagesAreMatchedExactly() {
        assertArrayEquals(new int[] {5, 3, 32, 32}, openAi.get("pixels").shape());
        float[] table = PixelNormalization.OPENAI.table();
        int plane = 32 * 32;
        for (int i = 0; i < 5; i++) {
            byte[] ours = ImageLoader.read(OPENAI.resolve("images").resolve("img" + i + ".png"), 32, 3,
                    Resampling.PILLOW_BICUBIC);
            assertEquals(0, differences(openAiBytes("pixels", i), ours), "bytes that differ in img" + i);
            // and as the model's input values, the very floats OpenAI's pipeline gave
            float[] data = openAi.get("pixels").data();
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    assertEquals(data[(i * 3 + c) * plane + p], table[c * 256 + (ours[c * plane + p] & 0xFF)],
                            "img" + i + " channel " + c + " pixel " + p);
                }
            }
        }
    }

    @Test
    void openAisTrainingImagesOfTheModelSizeAreMatchedExactly() {
        for (int i = 0; i < 5; i++) {
            Path file = OPENAI.resolve("train").resolve("pair" + i + ".png");
            byte[] ours = ImageLoader.read(file, 32, 3, Resampling.PILLOW_BICUBIC);
            assertArrayEquals(openAiBytes("train_pixels", i), ours, "pair" + i);
            assertArrayEquals(ours, ImageLoader.read(file, 32, 3, Resampling.BILINEAR), "exact size: no filter");
        }
    }

    @Test
    void oneDifferentByteIsNoticed() {
        byte[] expected = openAiBytes("pixels", 3);
        byte[] ours = ImageLoader.read(OPENAI.resolve("images").resolve("img3.png"), 32, 3, Resampling.PILLOW_BICUBIC);
        ours[517] ^= 1;
        assertEquals(1, differences(expected, ours));
    }

    @Test
    void aTsvReadForTheTransformerIsResizedAsPillowDoes() throws IOException {
        Path tsv = folder.resolve("pairs.tsv");
        Files.writeString(tsv, "filepath\ttitle\n" + OPENAI.toAbsolutePath().resolve("images/img1.png")
                + "\ta wide one\n" + OPENAI.toAbsolutePath().resolve("images/img2.png") + "\ta tall one\n");
        List<Example> pairs = TsvDataset.readPairs(tsv, 32, 3, Resampling.PILLOW_BICUBIC);
        assertArrayEquals(openAiBytes("pixels", 1), pairs.get(0).pixels());
        assertArrayEquals(openAiBytes("pixels", 2), pairs.get(1).pixels());
        assertFalse(Arrays.equals(openAiBytes("pixels", 1),
                TsvDataset.readPairs(tsv, 32, 3, Resampling.BILINEAR).get(0).pixels()));
    }

    @Test
    void idxImagesAreResizedAsPillowsGreyImages() throws IOException {
        // grey-37x29.png is an 8-bit "L" image: its bytes as an IDX image give Pillow's result too
        BufferedImage grey = ImageIO.read(PILLOW.resolve("sources").resolve("grey-37x29.png").toFile());
        byte[] bytes = new byte[37 * 29];
        int[] samples = grey.getRaster().getSamples(0, 0, 37, 29, 0, (int[]) null);
        for (int p = 0; p < bytes.length; p++) {
            bytes[p] = (byte) samples[p];
        }
        for (int size : new int[] {8, 31}) {
            byte[] expected = rgbPlanes(PILLOW.resolve("expected").resolve("grey-37x29-" + size + ".png"));
            assertArrayEquals(expected, IdxDataset.toModel(bytes, 29, 37, size, 3, Resampling.PILLOW_BICUBIC));
            assertArrayEquals(Arrays.copyOf(expected, size * size),
                    IdxDataset.toModel(bytes, 29, 37, size, 1, Resampling.PILLOW_BICUBIC));
        }
    }

    @Test
    void eachFamilyResamplesItsOwnWay() {
        ModelConfig card = ModelConfig.standard(10);
        assertEquals(Resampling.BILINEAR, card.resampling());
        assertTrue(card instanceof MlpConfig);
        for (String name : List.of("vit-tiny", "vit-fashion", "ViT-B-32")) {
            ModelConfig transformer = ModelConfig.builtIn(name, 10);
            assertTrue(transformer instanceof TransformerConfig);
            assertEquals(Resampling.PILLOW_BICUBIC, transformer.resampling(), name);
        }
    }

    @Test
    void theKernelIsPillowsCubicConvolution() {
        assertEquals(1.0, PillowBicubic.filter(0.0));
        assertEquals(0.0, PillowBicubic.filter(1.0), 0.0);
        assertEquals(0.0, PillowBicubic.filter(-2.0), 0.0);
        assertEquals(0.0, PillowBicubic.filter(2.5), 0.0);
        // a = -0.5: (1.5 |x| - 2.5) x^2 + 1 within 1, -0.5 (((|x| - 5) |x| + 8) |x| - 4) from 1 to 2
        assertEquals(0.5625, PillowBicubic.filter(0.5));
        assertEquals(0.5625, PillowBicubic.filter(-0.5));
        assertEquals(-0.0625, PillowBicubic.filter(1.5));
    }

    @Test
    void coefficientsAreFixedPointWeightsSummingToOne() {
        // at the same size each output reads its own sample with weight 1
        PillowBicubic.Coefficients same = PillowBicubic.Coefficients.of(9, 9, 0, 9);
        for (int o = 0; o < 9; o++) {
            int[] w = same.weights()[o];
            int own = o - same.first()[o];
            for (int i = 0; i < w.length; i++) {
                assertEquals(i == own ? 1 << PillowBicubic.PRECISION_BITS : 0, w[i]);
            }
        }
        // halving: centre 2o + 1, support 4 either side; the weights are symmetric about it
        PillowBicubic.Coefficients half = PillowBicubic.Coefficients.of(40, 20, 0, 20);
        int[] w = half.weights()[10];
        assertEquals(17, half.first()[10]);
        assertEquals(8, w.length);
        for (int i = 0; i < 4; i++) {
            assertEquals(w[i], w[7 - i]);
        }
        assertTrue(w[0] < 0 && w[3] > w[2], Arrays.toString(w));
        for (int[] weights : half.weights()) {
            int sum = Arrays.stream(weights).sum();
            assertTrue(Math.abs(sum - (1 << PillowBicubic.PRECISION_BITS)) <= weights.length, "sum " + sum);
        }
        // a crop's coefficients are the full resize's, shifted
        PillowBicubic.Coefficients all = PillowBicubic.Coefficients.of(97, 31, 0, 31);
        PillowBicubic.Coefficients part = PillowBicubic.Coefficients.of(97, 31, 7, 13);
        for (int o = 0; o < 13; o++) {
            assertEquals(all.first()[7 + o], part.first()[o]);
            assertArrayEquals(all.weights()[7 + o], part.weights()[o]);
        }
    }

    @Test
    void clippingTakesTheIntegerPartAndClampsToAByte() {
        int one = 1 << PillowBicubic.PRECISION_BITS;
        assertEquals(0, PillowBicubic.clip8(-5 * one));
        assertEquals(0, PillowBicubic.clip8(-1));
        assertEquals(17, PillowBicubic.clip8(17 * one + one - 1));
        assertEquals(255, PillowBicubic.clip8(300 * one));
    }

    @Test
    void nearestNeighbourTakesTheSampleUnderEachOutputsCentre() {
        // 3 to 7: centres at (i + 0.5) * 3 / 7 = 0.21, 0.64, 1.07, 1.5, 1.93, 2.36, 2.79
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2}, PillowNearest.sources(3, 7, 0, 7));
        assertArrayEquals(new int[] {1, 1, 2}, PillowNearest.sources(3, 7, 3, 3));
        // 10 to 4: 1.25, 3.75, 6.25, 8.75
        assertArrayEquals(new int[] {1, 3, 6, 8}, PillowNearest.sources(10, 4, 0, 4));
    }

    @Test
    void theCropIsTorchvisionsCentre() {
        // 300x97 to 32: 98x32 (300 * 32 / 97 = 98.97 truncated), offset (98 - 32) / 2 = 33
        assertEquals(new CentreCrop(98, 32, 33, 0, 32), CentreCrop.of(300, 97, 32));
        // 71x35 to 32: 64x32 (71 * 32 / 35 = 64.9 truncated), offset (64 - 32) / 2 = 16
        assertEquals(new CentreCrop(64, 32, 16, 0, 32), CentreCrop.of(71, 35, 32));
        // half pixels round to even: 37 - 32 = 5, 2.5 -> 2; 39 - 32 = 7, 3.5 -> 4
        assertEquals(2, CentreCrop.of(32, 37, 32).top());
        assertEquals(4, CentreCrop.of(39, 32, 32).left());
        assertFalse(CentreCrop.of(32, 37, 32).resizes(32, 37));
        assertTrue(CentreCrop.of(33, 37, 32).resizes(33, 37));
    }
}
