package dev.clipengine.report;

import dev.clipengine.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pictures of a run: line charts (loss, accuracy over steps), heatmaps (similarity, confusion and
 * gradient matrices) and grids of either, as images to save with {@link #writePng}.
 *
 * <p>Drawing works without a display. Where Java cannot draw at all (typically a server with no
 * fonts) every method that draws throws {@link PlotsUnavailableException}, whose message says what
 * to install; a caller prints it and carries on without the picture. Bad arguments throw
 * IllegalArgumentException. A null title or axis label means none.
 */
public final class Plots {

    private static final int MIN_WIDTH = 200;
    private static final int MIN_HEIGHT = 150;
    /** Far beyond any useful chart, and small enough that a wrong argument cannot exhaust the heap. */
    private static final int MAX_SIDE = 8000;
    /** At a pixel a cell, the largest matrix whose picture stays within {@link #MAX_SIDE}. */
    private static final int MAX_MATRIX_SIDE = 4000;

    static {
        // before anything below creates a Color: loading AWT fixes whether it is headless
        Rendering.preferHeadless();
    }

    private Plots() {
    }

    /**
     * One line of a chart: x ascending. A NaN or infinite y leaves a gap (a diverged loss, say).
     *
     * @throws IllegalArgumentException if a part is missing, x and y differ in length, there are no
     *     points, or x is not finite and ascending
     */
    public record Series(String name, double[] x, double[] y) {

        public Series {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a series needs a name: it labels the legend");
            }
            if (x == null || y == null) {
                throw new IllegalArgumentException("series '" + name + "' has no " + (x == null ? "x" : "y") + " values");
            }
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but "
                        + y.length + " y values");
            }
            if (x.length == 0) {
                throw new IllegalArgumentException("series '" + name + "' has no points");
            }
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i])) {
                    throw new IllegalArgumentException("series '" + name + "': x[" + i + "] is " + x[i]);
                }
                if (i > 0 && x[i] < x[i - 1]) {
                    throw new IllegalArgumentException("series '" + name + "': x must ascend, but x[" + i + "] = "
                            + x[i] + " follows x[" + (i - 1) + "] = " + x[i - 1]);
                }
            }
        }

        /** Values measured at steps 1, 2, 3, ... */
        public static Series ofSteps(String name, double[] y) {
            double[] x = new double[y == null ? 0 : y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            return new Series(name, x, y);
        }

        /** {@link #smoothed(String, int)} named after this series. */
        public Series smoothed(int span) {
            return smoothed(name + " (smoothed)", span);
        }

        /**
         * An exponential moving average over about {@code span} points (weight 2 / (span + 1) for
         * the newest), the way per-step loss is usually shown: raw, it is mostly batch noise.
         * Corrected for its start at zero, as in Adam, so the early points are not pulled down;
         * a NaN point stays NaN and does not poison the rest.
         */
        public Series smoothed(String name, int span) {
            if (span < 1) {
                throw new IllegalArgumentException("a moving average spans at least 1 point, got " + span);
            }
            double keep = 1 - 2.0 / (span + 1);
            double average = 0;
            double weight = 0;
            double[] smooth = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                if (!Double.isFinite(y[i])) {
                    smooth[i] = Double.NaN;
                    continue;
                }
                average = keep * average + (1 - keep) * y[i];
                weight = keep * weight + (1 - keep);
                smooth[i] = average / weight;
            }
            return new Series(name, x, smooth);
        }
    }

    /**
     * A line chart of {@code width} x {@code height} pixels, one colour per series; a legend below
     * the plot when there is more than one series, markers only on short series.
     */
    public static BufferedImage lines(String title, String xLabel, String yLabel, List<Series> series, int width,
            int height) {
        checkSeries(series);
        checkSize(width, height);
        List<LineCharts.Line> lines = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            lines.add(new LineCharts.Line(series.get(i), Palette.series(i), 2f, true));
        }
        return Rendering.guarded(() -> LineCharts.draw(text(title), text(xLabel), text(yLabel), lines, width, height));
    }

    /**
     * Like {@link #lines}, for noisy series such as per-step loss: each series drawn faint, with
     * its {@link Series#smoothed(int) moving average} over {@code span} points bold in the same
     * colour on top.
     */
    public static BufferedImage smoothedLines(String title, String xLabel, String yLabel, List<Series> series,
            int span, int width, int height) {
        checkSeries(series);
        checkSize(width, height);
        List<LineCharts.Line> lines = new ArrayList<>();
        List<LineCharts.Line> trends = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            Series raw = series.get(i);
            lines.add(new LineCharts.Line(raw, Palette.faded(Palette.series(i), 0.3), 1f, true));
            trends.add(new LineCharts.Line(raw.smoothed(raw.name() + ", smoothed", span), Palette.series(i), 2f,
                    true));
        }
        // every raw line first, so that no series' noise hides another's trend
        lines.addAll(trends);
        return Rendering.guarded(() -> LineCharts.draw(text(title), text(xLabel), text(yLabel), lines, width, height));
    }

    /**
     * A heatmap of a row-major matrix, first row at the top. Labels may be long (captions): they are
     * shortened with an ellipsis, and column labels slanted or turned when they do not fit their
     * column; an empty label list numbers the rows or columns from 0 instead. {@code annotate}
     * prints each cell's value where the cells are large enough for it to be read (a 3x3, not a
     * 64x64). {@code diverging} colours signed values (gradients) blue, white at zero and red;
     * otherwise a dark-to-bright scale spans the data (similarities, probabilities, counts). NaN
     * cells are grey. The picture's size follows from the matrix's.
     */
    public static BufferedImage heatmap(String title, float[] values, int rows, int cols, List<String> rowLabels,
            List<String> colLabels, boolean annotate, boolean diverging) {
        return heatmap(title, null, null, values, rows, cols, rowLabels, colLabels, annotate, diverging);
    }

    /**
     * {@link #heatmap(String, float[], int, int, List, List, boolean, boolean)} with a title for each
     * axis, such as "true class" for the rows and "predicted class" for the columns.
     */
    public static BufferedImage heatmap(String title, String rowTitle, String colTitle, float[] values, int rows,
            int cols, List<String> rowLabels, List<String> colLabels, boolean annotate, boolean diverging) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a heatmap needs at least one row and one column, got " + rows + "x"
                    + cols);
        }
        if (rows > MAX_MATRIX_SIDE || cols > MAX_MATRIX_SIDE) {
            throw new IllegalArgumentException("a heatmap has at most " + MAX_MATRIX_SIDE + " rows and columns, got "
                    + rows + "x" + cols + "; draw a slice or an average of blocks");
        }
        if (values == null || (long) rows * cols != values.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " heatmap needs " + (long) rows * cols
                    + " values, got " + (values == null ? "none" : values.length));
        }
        checkLabels("row", rowLabels, rows);
        checkLabels("column", colLabels, cols);
        var spec = new Heatmap.Spec(text(title), text(rowTitle), text(colTitle), values.clone(), rows, cols,
                List.copyOf(rowLabels), List.copyOf(colLabels), annotate, diverging);
        return Rendering.guarded(() -> new Heatmap(spec).draw());
    }

    /**
     * Panels in rows of {@code columns} (fewer if there are fewer panels) under an overall title,
     * each centred in a slot the size of the largest.
     */
    public static BufferedImage grid(String title, List<BufferedImage> panels, int columns) {
        if (panels == null || panels.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one panel");
        }
        int missing = indexOfNull(panels);
        if (missing >= 0) {
            throw new IllegalArgumentException("panel " + missing + " of the grid is missing (null)");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("a grid needs at least one column, got " + columns);
        }
        List<BufferedImage> copy = List.copyOf(panels);
        return Rendering.guarded(() -> Grid.compose(text(title), copy, columns));
    }

    /**
     * Writes {@code image} as a PNG: into a temporary file beside {@code file}, then renamed over
     * it, so that a reader (or a run interrupted while writing) never sees half a picture and an
     * existing file is replaced only by a complete one. Creates the folder if needed.
     */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        if (image == null || file == null) {
            throw new IllegalArgumentException("writePng needs an image and a file, got " + (image == null
                    ? "no image" : "no file"));
        }
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        AtomicFiles.write(target, temporary -> {
            if (!ImageIO.write(image, "png", temporary.toFile())) {
                throw new IOException("cannot write " + file + ": Java has no PNG encoder for images of type "
                        + image.getType());
            }
        });
    }

    private static void checkSeries(List<Series> series) {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("a line chart needs at least one series");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (s == null) {
                throw new IllegalArgumentException("series " + i + " of the chart is missing (null)");
            }
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("two series are named '" + s.name()
                        + "'; names label the legend and must differ");
            }
        }
    }

    private static void checkSize(int width, int height) {
        if (width < MIN_WIDTH || height < MIN_HEIGHT || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("a chart is " + MIN_WIDTH + "x" + MIN_HEIGHT + " to " + MAX_SIDE + "x"
                    + MAX_SIDE + " pixels, got " + width + "x" + height);
        }
    }

    private static void checkLabels(String what, List<String> labels, int count) {
        if (labels == null) {
            throw new IllegalArgumentException("no " + what + " labels (give an empty list to number the " + what
                    + "s)");
        }
        if (!labels.isEmpty() && labels.size() != count) {
            throw new IllegalArgumentException(labels.size() + " " + what + " labels for " + count + " " + what
                    + "s");
        }
        int missing = indexOfNull(labels);
        if (missing >= 0) {
            throw new IllegalArgumentException(what + " label " + missing + " is missing (null)");
        }
    }

    /** List.of lists throw on contains(null); callers may pass any list. */
    private static int indexOfNull(List<?> list) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                return i;
            }
        }
        return -1;
    }

    private static String text(String maybe) {
        return Objects.requireNonNullElse(maybe, "");
    }
}
