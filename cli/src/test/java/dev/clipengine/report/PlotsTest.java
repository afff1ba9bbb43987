package dev.clipengine.report;

import dev.clipengine.report.Plots.Series;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.AWTError;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {

    private static final List<String> THREE = List.of("a red circle", "a blue square", "a green triangle");
    private static final float[] SIMILARITIES = {0.93f, 0.12f, -0.05f, 0.08f, 0.88f, 0.31f, -0.2f, 0.4f, 0.95f};

    // ---- line charts

    @Test
    void aLineChartHasTheRequestedSizeAndIsDrawn() {
        Series loss = noisyLoss(3000);
        BufferedImage image = Plots.lines("Training loss", "step", "loss", List.of(loss, loss.smoothed(50)), 900, 500);

        assertEquals(900, image.getWidth());
        assertEquals(500, image.getHeight());
        assertTrue(distinctColours(image) > 50, "anti-aliased lines and text give many colours: " + distinctColours(image));
        assertTrue(contains(image, Palette.series(0)), "the first series is drawn in the first colour");
        assertTrue(contains(image, Palette.series(1)), "the second series is drawn in the second colour");
        assertTrue(GraphicsEnvironment.isHeadless(), "drawing must not need a display");
    }

    @Test
    void smoothedLinesDrawTheRawSeriesFaintAndItsTrendInFull() {
        BufferedImage image = Plots.smoothedLines("Training loss", "step", "loss", List.of(noisyLoss(2000)), 50, 700,
                400);

        assertEquals(700, image.getWidth());
        assertEquals(400, image.getHeight());
        assertTrue(contains(image, Palette.faded(Palette.series(0), 0.3)), "raw series, faded");
        assertTrue(contains(image, Palette.series(0)), "trend, in full colour");
    }

    @Test
    void gapsAndShortSeriesStillDraw() {
        Series gappy = Series.ofSteps("loss", new double[] {3, 2, Double.POSITIVE_INFINITY, 1.5, Double.NaN, 1.2});
        Series allNaN = Series.ofSteps("diverged", new double[] {Double.NaN, Double.NaN});
        Series onePoint = new Series("accuracy", new double[] {100}, new double[] {0.5});

        for (List<Series> series : List.of(List.of(gappy), List.of(allNaN), List.of(onePoint))) {
            BufferedImage image = Plots.lines("t", "x", "y", series, 400, 300);
            assertEquals(400, image.getWidth());
            assertTrue(distinctColours(image) > 10, series.toString());
        }
    }

    @Test
    void smoothingIsAnUnbiasedMovingAverageThatSkipsGaps() {
        Series constant = Series.ofSteps("c", new double[] {2, 2, 2, 2});
        assertArrayEquals(new double[] {2, 2, 2, 2}, constant.smoothed(10).y(), 1e-12,
                "corrected for its start, a constant's average is that constant from the first point");

        Series step = Series.ofSteps("s", new double[] {0, 0, 0, 10, 10, 10, 10, 10});
        double[] smooth = step.smoothed(3).y();
        for (int i = 4; i < smooth.length; i++) {
            assertTrue(smooth[i] > smooth[i - 1] && smooth[i] < 10, "moves towards the new level: " + smooth[i]);
        }
        assertArrayEquals(step.y(), step.smoothed(1).y(), 1e-12, "a span of 1 is no smoothing");

        double[] withGap = Series.ofSteps("g", new double[] {1, Double.NaN, 1}).smoothed(5).y();
        assertTrue(Double.isNaN(withGap[1]));
        assertEquals(1, withGap[2], 1e-12, "a gap does not drag the average");
        assertEquals("g (smoothed)", Series.ofSteps("g", new double[] {1}).smoothed(5).name());
        assertArrayEquals(new double[] {1, 2, 3}, Series.ofSteps("g", new double[] {5, 5, 5}).x());
    }

    // ---- heatmaps

    @Test
    void aHeatmapsSizeFollowsItsMatrixWithinBounds() {
        BufferedImage small = Plots.heatmap("Similarity", SIMILARITIES, 3, 3, THREE, THREE, true, false);
        BufferedImage large = Plots.heatmap("Confusion", counts(64), 64, 64, classNames(64), classNames(64), true,
                false);

        for (BufferedImage image : List.of(small, large)) {
            assertTrue(image.getWidth() >= 250 && image.getWidth() <= 1400, "width " + image.getWidth());
            assertTrue(image.getHeight() >= 250 && image.getHeight() <= 1400, "height " + image.getHeight());
            assertTrue(distinctColours(image) > 30, "drawn: " + distinctColours(image));
        }
        assertTrue(large.getWidth() > small.getWidth() && large.getHeight() > small.getHeight());
        BufferedImage again = Plots.heatmap("Similarity", SIMILARITIES, 3, 3, THREE, THREE, true, false);
        assertEquals(small.getWidth(), again.getWidth());
        assertEquals(small.getHeight(), again.getHeight());
        assertArrayEquals(pixels(small), pixels(again), "the same input draws the same picture");
    }

    @Test
    void rowsRunTopToBottomInTheirValuesColours() {
        float[] values = {0, 1, 2, 3};
        var sequential = new Heatmap(spec(values, 2, 2, List.of("r0", "r1"), List.of("c0", "c1"), false, false));
        BufferedImage image = sequential.draw();
        for (int i = 0; i < values.length; i++) {
            assertEquals(sequential.colour(values[i]).getRGB(), colourAt(image, sequential.cellCentre(i / 2, i % 2)),
                    "cell " + i);
        }
        assertTrue(luminance(colourAt(image, sequential.cellCentre(0, 0)))
                > luminance(colourAt(image, sequential.cellCentre(1, 1))),
                "the first row is at the top: its low value is the light end of the scale");

        var diverging = new Heatmap(spec(new float[] {-2, 0, 0, 1}, 2, 2, List.of(), List.of(), false, true));
        BufferedImage signed = diverging.draw();
        Color negative = new Color(colourAt(signed, diverging.cellCentre(0, 0)));
        Color zero = new Color(colourAt(signed, diverging.cellCentre(0, 1)));
        Color positive = new Color(colourAt(signed, diverging.cellCentre(1, 1)));
        assertTrue(negative.getBlue() > negative.getRed() + 60, "negative is blue: " + negative);
        assertTrue(positive.getRed() > positive.getBlue() + 60, "positive is red: " + positive);
        assertTrue(zero.getRed() > 235 && zero.getGreen() > 235 && zero.getBlue() > 235, "zero is white: " + zero);
    }

    @Test
    void valuesArePrintedOnlyWhereTheyFit() {
        BufferedImage plain = Plots.heatmap("s", SIMILARITIES, 3, 3, THREE, THREE, false, false);
        BufferedImage annotated = Plots.heatmap("s", SIMILARITIES, 3, 3, THREE, THREE, true, false);
        assertFalse(Arrays.equals(pixels(plain), pixels(annotated)), "a 3x3 shows its values");
        assertTrue(new Heatmap(spec(SIMILARITIES, 3, 3, THREE, THREE, true, false)).annotated());

        float[] confusion = counts(64);
        BufferedImage bigPlain = Plots.heatmap("c", confusion, 64, 64, List.of(), List.of(), false, false);
        BufferedImage bigAnnotated = Plots.heatmap("c", confusion, 64, 64, List.of(), List.of(), true, false);
        assertArrayEquals(pixels(bigPlain), pixels(bigAnnotated), "a 64x64's cells are too small for values");
        assertFalse(new Heatmap(spec(confusion, 64, 64, List.of(), List.of(), true, false)).annotated());
    }

    @Test
    void longCaptionsAreShortenedNotAllowedToGrowThePicture() {
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            captions.add("a photo of a small shape number " + i + " " + "drawn on a plain white background ".repeat(4));
        }
        float[] values = new float[256];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.cos(i);
        }
        BufferedImage image = Plots.heatmap("Similarity", "image", "caption", values, 16, 16, captions, captions,
                true, false);
        assertTrue(image.getWidth() < 1300 && image.getHeight() < 1300, image.getWidth() + "x" + image.getHeight());
    }

    // ---- grids

    @Test
    void aGridLaysPanelsOutInRowsUnderATitle() {
        BufferedImage wide = Plots.lines("a", "x", "y", List.of(noisyLoss(100)), 600, 300);
        BufferedImage tall = Plots.lines("b", "x", "y", List.of(noisyLoss(100)), 300, 400);
        BufferedImage square = Plots.heatmap("c", SIMILARITIES, 3, 3, THREE, THREE, true, false);

        BufferedImage grid = Plots.grid("Run", List.of(wide, tall, square), 2);

        int slotWidth = Math.max(600, square.getWidth());
        int slotHeight = Math.max(400, square.getHeight());
        assertTrue(grid.getWidth() >= 2 * slotWidth && grid.getWidth() <= 2 * slotWidth + 60, "width " + grid.getWidth());
        assertTrue(grid.getHeight() >= 2 * slotHeight && grid.getHeight() <= 2 * slotHeight + 80,
                "height " + grid.getHeight());
        assertTrue(distinctColours(grid) > 50);
        assertEquals(2 * Math.max(600, 300) + 3 * 8, Plots.grid("", List.of(wide, tall), 5).getWidth(),
                "more columns than panels: only as many as there are panels");
    }

    // ---- files

    @Test
    void aPngReadsBackAsTheSamePictureAndNothingElseIsLeft(@TempDir Path dir) throws IOException {
        BufferedImage image = Plots.heatmap("s", SIMILARITIES, 3, 3, THREE, THREE, true, false);
        Path file = dir.resolve("figures/run 1/similarity.png");

        Plots.writePng(image, file);

        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(image.getWidth(), read.getWidth());
        assertEquals(image.getHeight(), read.getHeight());
        assertArrayEquals(pixels(image), pixels(read));
        assertEquals(List.of(file), list(file.getParent()), "no temporary file is left beside it");

        BufferedImage other = Plots.lines("l", "x", "y", List.of(noisyLoss(10)), 300, 200);
        Plots.writePng(other, file);
        assertEquals(300, ImageIO.read(file.toFile()).getWidth(), "an existing file is replaced");
        assertEquals(List.of(file), list(file.getParent()));
    }

    @Test
    void aFailedWriteLeavesTheOldFileWhole(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("loss.png");
        Plots.writePng(Plots.lines("l", "x", "y", List.of(noisyLoss(10)), 300, 200), file);
        byte[] before = Files.readAllBytes(file);

        assertThrows(IllegalStateException.class, () -> Plots.writePng(new FailingImage(), file));

        assertArrayEquals(before, Files.readAllBytes(file), "the target is replaced only on success");
        assertEquals(List.of(file), list(dir), "the temporary file is removed");

        Path fresh = dir.resolve("fresh.png");
        assertThrows(IllegalStateException.class, () -> Plots.writePng(new FailingImage(), fresh));
        assertFalse(Files.exists(fresh), "no half-written picture appears");
    }

    // ---- bad arguments

    @Test
    void badArgumentsAreRefusedWithAClearMessage() {
        assertMessage("needs 9 values, got 8",
                () -> Plots.heatmap("t", new float[8], 3, 3, List.of(), List.of(), false, false));
        assertMessage("2 row labels for 3 rows",
                () -> Plots.heatmap("t", new float[9], 3, 3, List.of("a", "b"), List.of(), false, false));
        assertMessage("4 column labels for 3 columns",
                () -> Plots.heatmap("t", new float[9], 3, 3, List.of(), List.of("a", "b", "c", "d"), false, false));
        assertMessage("at least one row and one column",
                () -> Plots.heatmap("t", new float[0], 0, 3, List.of(), List.of(), false, false));
        assertMessage("at least one series", () -> Plots.lines("t", "x", "y", List.of(), 400, 300));
        assertMessage("has no points", () -> new Series("loss", new double[0], new double[0]));
        assertMessage("has 3 x values but 2 y values", () -> new Series("loss", new double[3], new double[2]));
        assertMessage("x must ascend", () -> new Series("loss", new double[] {1, 3, 2}, new double[3]));
        assertMessage("needs a name", () -> new Series(" ", new double[1], new double[1]));
        assertMessage("two series are named 'loss'",
                () -> Plots.lines("t", "x", "y", List.of(noisyLoss(5), noisyLoss(5)), 400, 300));
        assertMessage("got 10x300", () -> Plots.lines("t", "x", "y", List.of(noisyLoss(5)), 10, 300));
        assertMessage("at least 1 point", () -> noisyLoss(5).smoothed(0));
        assertMessage("at least one panel", () -> Plots.grid("t", List.of(), 2));
        BufferedImage panel = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        assertMessage("panel 1 of the grid is missing", () -> Plots.grid("t", Arrays.asList(panel, null), 2));
        assertMessage("at least one column", () -> Plots.grid("t", List.of(panel), 0));
    }

    // ---- machines that cannot draw

    @Test
    void anAwtFailureBecomesOneExceptionThatSaysWhatToInstall() {
        PlotsUnavailableException e = assertThrows(PlotsUnavailableException.class,
                () -> Rendering.guarded(() -> {
                    throw new AWTError("Can't connect to X11 window server");
                }));
        assertTrue(e.getMessage().contains("fontconfig"), e.getMessage());
        assertTrue(e.getMessage().contains("X11"), "the cause is named: " + e.getMessage());
        assertThrows(PlotsUnavailableException.class, () -> Rendering.guarded(() -> {
            throw new UnsatisfiedLinkError("libfontmanager.so: libfreetype.so.6: cannot open shared object file");
        }));

        IllegalStateException bug = new IllegalStateException("a bug of ours");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> Rendering.guarded(() -> {
            throw bug;
        })), "exceptions that are not AWT's failures pass through unchanged");
    }

    // ---- helpers

    private static Heatmap.Spec spec(float[] values, int rows, int cols, List<String> rowLabels,
            List<String> colLabels, boolean annotate, boolean diverging) {
        return new Heatmap.Spec("t", "", "", values, rows, cols, rowLabels, colLabels, annotate, diverging);
    }

    private static Series noisyLoss(int steps) {
        Random random = new Random(7);
        double[] loss = new double[steps];
        for (int i = 0; i < steps; i++) {
            loss[i] = 1.2 + 2.9 * Math.exp(-i / (steps / 10.0)) + random.nextGaussian() * 0.15;
        }
        return Series.ofSteps("loss", loss);
    }

    private static float[] counts(int classes) {
        Random random = new Random(11);
        float[] counts = new float[classes * classes];
        for (int i = 0; i < classes; i++) {
            counts[i * classes + i] = 10 + random.nextInt(8);
            counts[i * classes + random.nextInt(classes)] += random.nextInt(3);
        }
        return counts;
    }

    private static List<String> classNames(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("class " + i + " of the held-out set");
        }
        return names;
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should say '" + expected + "'");
    }

    private static int distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int rgb : pixels(image)) {
            colours.add(rgb);
        }
        return colours.size();
    }

    private static boolean contains(BufferedImage image, Color colour) {
        int wanted = colour.getRGB();
        for (int rgb : pixels(image)) {
            if (rgb == wanted) {
                return true;
            }
        }
        return false;
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static int colourAt(BufferedImage image, int[] point) {
        return image.getRGB(point[0], point[1]);
    }

    private static double luminance(int rgb) {
        Color c = new Color(rgb);
        return 0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** An image whose pixels cannot be read: the PNG encoder fails after it has started the file. */
    private static final class FailingImage extends BufferedImage {

        FailingImage() {
            super(64, 64, BufferedImage.TYPE_INT_RGB);
        }

        @Override
        public WritableRaster getRaster() {
            throw new IllegalStateException("pixels unavailable");
        }

        @Override
        public Raster getData() {
            throw new IllegalStateException("pixels unavailable");
        }

        @Override
        public Raster getData(Rectangle rect) {
            throw new IllegalStateException("pixels unavailable");
        }

        @Override
        public WritableRaster copyData(WritableRaster outRaster) {
            throw new IllegalStateException("pixels unavailable");
        }
    }
}
