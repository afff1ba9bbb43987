package dev.clipengine.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A labelled heatmap with a colour scale, drawn with Java2D. XChart's HeatMapChart does not serve:
 * it puts the first row at the bottom, prints every value or none in one text colour (unreadable on
 * half of any palette), and neither shortens nor turns long column labels.
 *
 * <p>The picture's size follows from the matrix: cells are square, large for a 3x3 and small for a
 * 64x64, so that the matrix is about {@value #TARGET_EXTENT} pixels on its longer side or less
 * (more only past that many rows or columns, at a pixel a cell); labels and values are sized to the
 * cells, and left out (every n-th label, or all values) where they would overlap.
 */
final class Heatmap {

    /** What to draw; the arguments are already checked. */
    record Spec(String title, String rowTitle, String colTitle, float[] values, int rows, int cols,
            List<String> rowLabels, List<String> colLabels, boolean annotate, boolean diverging) {
    }

    private static final int TARGET_EXTENT = 720;
    private static final int MAX_CELL = 88;
    /** A pixel a cell: a 512x64 gradient is still worth a look, and its picture stays 512 high. */
    private static final int MIN_CELL = 1;
    /** Longer labels (captions) are cut short with an ellipsis. */
    private static final int MAX_LABEL_WIDTH = 200;
    /** Column labels that fit their column in this many lines are written level, wrapped. */
    private static final int MAX_LABEL_LINES = 3;
    private static final float MAX_LABEL_SIZE = 12;
    private static final float MIN_LABEL_SIZE = 8;
    private static final float MAX_VALUE_SIZE = 14;
    /** Smaller values are not worth printing: they would read as noise. */
    private static final float MIN_VALUE_SIZE = 7.5f;
    /** Cell separators only where cells are big enough for the lines not to eat them. */
    private static final int MIN_CELL_FOR_SEPARATORS = 24;
    private static final int GAP = 6;
    private static final int BAR_GAP = 18;
    private static final int BAR_WIDTH = 14;
    private static final int MIN_BAR_HEIGHT = 140;
    private static final int TICK_LENGTH = 4;
    private static final Color MISSING = new Color(0xd0d0d0);
    private static final double SIN_45 = Math.sqrt(0.5);

    private final Spec spec;
    private final Palette palette;
    private final double low;
    private final double high;

    private final int cell;
    private final Font labelFont;
    private final FontMetrics labelMetrics;
    private final List<String> rowLabels;
    private final List<String> colLabels;
    /** The column labels wrapped to their columns, or null when they do not fit so and are turned. */
    private final List<List<String>> levelColLabels;
    private final int rowStride;
    private final int colStride;
    /** 0, 45 or 90 degrees anticlockwise. */
    private final int colLabelAngle;
    private final Font axisTitleFont;
    private final Font valueFont;
    private final DoubleFunction<String> valueFormat;
    private final Font tickFont;
    private final double[] ticks;
    private final DoubleFunction<String> tickFormat;

    private final int matrixX;
    private final int matrixY;
    private final int barX;
    private final int barHeight;
    private final int colLabelsTop;
    private final int colLabelsHeight;
    private final int width;
    private final int height;

    Heatmap(Spec spec) {
        this.spec = spec;
        palette = spec.diverging() ? Palette.DIVERGING : Palette.SEQUENTIAL;
        double[] range = range(spec.values(), spec.diverging());
        low = range[0];
        high = range[1];

        cell = Math.clamp(TARGET_EXTENT / Math.max(spec.rows(), spec.cols()), MIN_CELL, MAX_CELL);
        labelFont = Drawing.font(Font.PLAIN, Math.clamp(cell - 3, MIN_LABEL_SIZE, MAX_LABEL_SIZE));
        labelMetrics = Drawing.metrics(labelFont);
        rowLabels = fitted(normalised(spec.rowLabels(), spec.rows()));
        List<String> colText = normalised(spec.colLabels(), spec.cols());
        colLabels = fitted(colText);
        levelColLabels = wrapped(colText);
        // slanted reads more easily than vertical, unless the columns are so narrow that slanted
        // neighbours would overlap
        colLabelAngle = levelColLabels != null ? 0 : cell * SIN_45 >= labelMetrics.getHeight() ? 45 : 90;
        // labels are a line of text apart at least: in small cells only every n-th is written
        rowStride = Math.ceilDiv(labelMetrics.getHeight(), cell);
        colStride = switch (colLabelAngle) {
            case 0 -> 1;
            case 45 -> Math.ceilDiv(labelMetrics.getHeight(), (int) (cell * SIN_45));
            default -> rowStride;
        };
        axisTitleFont = Drawing.font(Font.PLAIN, Drawing.LABEL_SIZE);

        valueFormat = valueFormat(spec.values());
        valueFont = spec.annotate() ? valueFont() : null;
        tickFont = Drawing.font(Font.PLAIN, Drawing.TICK_SIZE);
        ticks = niceTicks(low, high);
        tickFormat = tickFormat(ticks);

        FontMetrics axisTitle = Drawing.metrics(axisTitleFont);
        int rowTitleSpace = spec.rowTitle().isBlank() ? 0 : axisTitle.getHeight() + GAP;
        int leftOfMatrix = Math.max(Drawing.MARGIN + rowTitleSpace + widest(rowLabels) + GAP,
                Drawing.MARGIN + colLabelOverhang());
        int matrixWidth = spec.cols() * cell;
        int matrixHeight = spec.rows() * cell;
        FontMetrics tickMetrics = Drawing.metrics(tickFont);
        int tickLabelWidth = 0;
        for (double tick : ticks) {
            tickLabelWidth = Math.max(tickLabelWidth, tickMetrics.stringWidth(tickFormat.apply(tick)));
        }
        int rightOfMatrix = BAR_GAP + BAR_WIDTH + TICK_LENGTH + 3 + tickLabelWidth + Drawing.MARGIN;
        int contentWidth = leftOfMatrix + matrixWidth + rightOfMatrix;
        int titleWidth = spec.title().isBlank() ? 0
                : Math.min(Drawing.metrics(Drawing.title()).stringWidth(spec.title()), 3 * TARGET_EXTENT / 2);
        // a short matrix under a long title: centre the content under it rather than clip the title
        int shift = Math.max(0, Math.ceilDiv(titleWidth + 2 * Drawing.MARGIN - contentWidth, 2));
        width = contentWidth + 2 * shift;

        matrixX = shift + leftOfMatrix;
        matrixY = Drawing.titleHeight(spec.title());
        barX = matrixX + matrixWidth + BAR_GAP;
        barHeight = Math.max(matrixHeight, MIN_BAR_HEIGHT);
        colLabelsTop = matrixY + matrixHeight + GAP;
        colLabelsHeight = colLabelsHeight();
        int colTitleSpace = spec.colTitle().isBlank() ? 0 : GAP + axisTitle.getHeight();
        int below = Math.max(matrixHeight + GAP + colLabelsHeight + colTitleSpace,
                barHeight + tickMetrics.getAscent() / 2);
        height = matrixY + below + Drawing.MARGIN;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The pixel at the middle of a cell, for checking a drawing. */
    int[] cellCentre(int row, int col) {
        return new int[] {matrixX + col * cell + cell / 2, matrixY + row * cell + cell / 2};
    }

    /** Whether the values are printed in the cells: asked for and fitting. */
    boolean annotated() {
        return valueFont != null;
    }

    Color colour(double value) {
        return Double.isNaN(value) ? MISSING : palette.at((value - low) / (high - low));
    }

    BufferedImage draw() {
        BufferedImage image = Drawing.blank(width, height);
        Graphics2D g = Drawing.graphics(image);
        try {
            Drawing.drawTitle(g, spec.title(), width);
            drawCells(g);
            drawRowLabels(g);
            drawColLabels(g);
            drawAxisTitles(g);
            drawColourBar(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    private void drawCells(Graphics2D g) {
        FontMetrics valueMetrics = valueFont == null ? null : g.getFontMetrics(valueFont);
        for (int r = 0; r < spec.rows(); r++) {
            for (int c = 0; c < spec.cols(); c++) {
                double value = spec.values()[r * spec.cols() + c];
                Color colour = colour(value);
                int x = matrixX + c * cell;
                int y = matrixY + r * cell;
                g.setColor(colour);
                g.fillRect(x, y, cell, cell);
                if (valueMetrics != null && !Double.isNaN(value)) {
                    g.setFont(valueFont);
                    g.setColor(Palette.textOn(colour));
                    Drawing.centred(g, valueFormat.apply(value), x + cell / 2.0,
                            y + (cell + valueMetrics.getAscent() - valueMetrics.getDescent()) / 2.0);
                }
            }
        }
        if (cell >= MIN_CELL_FOR_SEPARATORS) {
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(1f));
            for (int c = 1; c < spec.cols(); c++) {
                g.drawLine(matrixX + c * cell, matrixY, matrixX + c * cell, matrixY + spec.rows() * cell - 1);
            }
            for (int r = 1; r < spec.rows(); r++) {
                g.drawLine(matrixX, matrixY + r * cell, matrixX + spec.cols() * cell - 1, matrixY + r * cell);
            }
        }
        // a frame, because the diverging palette's near-white cells would otherwise melt into the page
        g.setColor(Drawing.RULE);
        g.drawRect(matrixX - 1, matrixY - 1, spec.cols() * cell + 1, spec.rows() * cell + 1);
    }

    private void drawRowLabels(Graphics2D g) {
        g.setFont(labelFont);
        g.setColor(Drawing.INK);
        for (int r = 0; r < spec.rows(); r += rowStride) {
            String label = rowLabels.get(r);
            double baseline = matrixY + r * cell + (cell + labelMetrics.getAscent() - labelMetrics.getDescent()) / 2.0;
            g.drawString(label, (float) (matrixX - GAP - labelMetrics.stringWidth(label)), (float) baseline);
        }
    }

    /** Column labels hang below the matrix, each ending at its column so that long ones run away from it. */
    private void drawColLabels(Graphics2D g) {
        g.setFont(labelFont);
        g.setColor(Drawing.INK);
        // moves the glyphs' middle, not their baseline, onto the column's centre line
        double centring = (labelMetrics.getAscent() - labelMetrics.getDescent()) / 2.0;
        for (int c = 0; c < spec.cols(); c += colStride) {
            double centreX = matrixX + c * cell + cell / 2.0;
            if (levelColLabels != null) {
                List<String> lines = levelColLabels.get(c);
                for (int i = 0; i < lines.size(); i++) {
                    Drawing.centred(g, lines.get(i), centreX,
                            colLabelsTop + labelMetrics.getAscent() + i * labelMetrics.getHeight());
                }
                continue;
            }
            String label = colLabels.get(c);
            AffineTransform saved = g.getTransform();
            // a 45-degree label would touch the matrix at its upper end; start it a little lower
            double top = colLabelsTop + (colLabelAngle == 45 ? labelMetrics.getHeight() * SIN_45 / 2 : 0);
            g.translate(centreX, top);
            g.rotate(-Math.toRadians(colLabelAngle));
            g.drawString(label, (float) -labelMetrics.stringWidth(label), (float) centring);
            g.setTransform(saved);
        }
    }

    private void drawAxisTitles(Graphics2D g) {
        g.setFont(axisTitleFont);
        g.setColor(Drawing.MUTED_INK);
        FontMetrics fm = g.getFontMetrics();
        if (!spec.colTitle().isBlank()) {
            String text = Drawing.fit(spec.colTitle(), fm, Math.max(spec.cols() * cell, 120));
            Drawing.centred(g, text, matrixX + spec.cols() * cell / 2.0,
                    colLabelsTop + colLabelsHeight + GAP + fm.getAscent());
        }
        if (!spec.rowTitle().isBlank()) {
            String text = Drawing.fit(spec.rowTitle(), fm, Math.max(spec.rows() * cell, 120));
            AffineTransform saved = g.getTransform();
            g.translate(matrixX - GAP - widest(rowLabels) - GAP - fm.getDescent(),
                    matrixY + spec.rows() * cell / 2.0);
            g.rotate(-Math.PI / 2);
            Drawing.centred(g, text, 0, 0);
            g.setTransform(saved);
        }
    }

    private void drawColourBar(Graphics2D g) {
        int top = matrixY;
        for (int y = 0; y < barHeight; y++) {
            double t = 1 - (y + 0.5) / barHeight;
            g.setColor(palette.at(t));
            g.fillRect(barX, top + y, BAR_WIDTH, 1);
        }
        g.setColor(Drawing.RULE);
        g.drawRect(barX, top, BAR_WIDTH, barHeight);
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        for (double tick : ticks) {
            double y = top + (1 - (tick - low) / (high - low)) * barHeight;
            g.setColor(Drawing.MUTED_INK);
            g.drawLine(barX + BAR_WIDTH, (int) Math.round(y), barX + BAR_WIDTH + TICK_LENGTH, (int) Math.round(y));
            g.drawString(tickFormat.apply(tick), barX + BAR_WIDTH + TICK_LENGTH + 3,
                    (float) (y + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    /** The labels on one line each; indices when none were given. */
    private static List<String> normalised(List<String> labels, int count) {
        List<String> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(labels.isEmpty() ? Integer.toString(i) : labels.get(i).strip().replaceAll("\\s+", " "));
        }
        return result;
    }

    /** Labels cut short to at most {@link #MAX_LABEL_WIDTH}. */
    private List<String> fitted(List<String> labels) {
        return labels.stream().map(label -> Drawing.fit(label, labelMetrics, MAX_LABEL_WIDTH)).toList();
    }

    /** Every label wrapped to its column, or null if one does not fit in {@link #MAX_LABEL_LINES} lines. */
    private List<List<String>> wrapped(List<String> labels) {
        List<List<String>> result = new ArrayList<>(labels.size());
        for (String label : labels) {
            List<String> lines = Drawing.wrap(label, labelMetrics, cell - GAP, MAX_LABEL_LINES);
            if (lines == null) {
                return null;
            }
            result.add(lines);
        }
        return result;
    }

    private int widest(List<String> labels) {
        int widest = 0;
        for (String label : labels) {
            widest = Math.max(widest, labelMetrics.stringWidth(label));
        }
        return widest;
    }

    private int colLabelsHeight() {
        int text = labelMetrics.getHeight();
        return switch (colLabelAngle) {
            case 0 -> text * levelColLabels.stream().mapToInt(List::size).max().orElse(1);
            case 45 -> (int) Math.ceil((widest(colLabels) + text) * SIN_45 + text * SIN_45 / 2);
            default -> widest(colLabels);
        };
    }

    /** How far slanted column labels reach left of the matrix. */
    private int colLabelOverhang() {
        if (colLabelAngle != 45) {
            return 0;
        }
        double reach = 0;
        for (int c = 0; c < spec.cols(); c += colStride) {
            double left = labelMetrics.stringWidth(colLabels.get(c)) * SIN_45 + labelMetrics.getHeight() * SIN_45;
            reach = Math.max(reach, left - (c + 0.5) * cell);
        }
        return (int) Math.ceil(reach);
    }

    /** The largest font, up to a third of the cell, in which the widest value fits; null if too small to read. */
    private Font valueFont() {
        Font font = Drawing.font(Font.PLAIN, Math.min(MAX_VALUE_SIZE, cell * 0.36f));
        FontMetrics fm = Drawing.metrics(font);
        int widest = 0;
        for (float value : spec.values()) {
            if (!Float.isNaN(value)) {
                widest = Math.max(widest, fm.stringWidth(valueFormat.apply(value)));
            }
        }
        float size = font.getSize2D();
        int room = cell - 6;
        if (widest > room) {
            size *= (float) room / widest;
        }
        return size >= MIN_VALUE_SIZE ? font.deriveFont(size) : null;
    }

    /** The colour scale's ends: the data's, or symmetric about zero so that white means zero. */
    private static double[] range(float[] values, boolean diverging) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float value : values) {
            if (Float.isFinite(value)) {
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
        }
        if (min > max) {
            return new double[] {0, 1};
        }
        if (diverging) {
            double reach = Math.max(Math.abs(min), Math.abs(max));
            return reach == 0 ? new double[] {-1, 1} : new double[] {-reach, reach};
        }
        // a constant matrix still needs a scale with some width; its cells take the middle colour
        return min == max ? new double[] {min - 1, max + 1} : new double[] {min, max};
    }

    /**
     * Whole numbers as such (confusion counts); others to the precision their magnitude deserves;
     * infinities (a diverged run) as such, in the colour of the scale's end.
     */
    private static DoubleFunction<String> valueFormat(float[] values) {
        DoubleFunction<String> finite = finiteFormat(values);
        return v -> Double.isInfinite(v) ? (v > 0 ? "\u221e" : "-\u221e") : finite.apply(v);
    }

    private static DoubleFunction<String> finiteFormat(float[] values) {
        boolean whole = true;
        double reach = 0;
        for (float value : values) {
            if (Float.isFinite(value)) {
                whole &= value == Math.rint(value) && Math.abs(value) < 1e9;
                reach = Math.max(reach, Math.abs(value));
            }
        }
        if (whole) {
            return v -> Long.toString(Math.round(v));
        }
        if (reach < 0.01) {
            return v -> v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = reach >= 100 ? 0 : reach >= 10 ? 1 : 2;
        return v -> withoutNegativeZero(String.format(Locale.ROOT, "%." + decimals + "f", v));
    }

    /** Round numbers (1, 2 or 5 times a power of ten) spanning [low, high]; about five of them. */
    static double[] niceTicks(double low, double high) {
        double raw = (high - low) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double normalised = raw / magnitude;
        double step = (normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10) * magnitude;
        // the tolerance keeps an end that is a multiple of the step despite rounding, e.g. 0.3 of 0.1s
        double tolerance = step * 1e-9;
        List<Double> ticks = new ArrayList<>();
        for (double k = Math.ceil((low - tolerance) / step); k * step <= high + tolerance; k++) {
            ticks.add(k * step);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static DoubleFunction<String> tickFormat(double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.max(Math.abs(ticks[0]), 1);
        double reach = Math.max(Math.abs(ticks[0]), Math.abs(ticks[ticks.length - 1]));
        if (step < 1e-3 || reach >= 1e6) {
            return v -> v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return v -> withoutNegativeZero(String.format(Locale.ROOT, "%." + decimals + "f", v));
    }

    /** "-0.00" says a sign that rounding took away; show "0.00". */
    private static String withoutNegativeZero(String number) {
        return number.startsWith("-") && number.chars().noneMatch(ch -> ch >= '1' && ch <= '9')
                ? number.substring(1) : number;
    }
}
