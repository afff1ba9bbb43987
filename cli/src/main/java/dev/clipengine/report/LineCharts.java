package dev.clipengine.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** Line charts drawn by XChart, styled alike. */
final class LineCharts {

    /**
     * Above this many points markers would merge into a thick smudge along the line; below it they
     * show where the measurements are (an accuracy evaluated a handful of times, say).
     */
    private static final int MARKER_LIMIT = 40;

    /** How one series is drawn; {@code inLegend} false for a line that only gives context. */
    record Line(Plots.Series series, Color colour, float width, boolean inLegend) {
    }

    private LineCharts() {
    }

    static BufferedImage draw(String title, String xLabel, String yLabel, List<Line> lines, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart.getStyler(), lines.stream().filter(Line::inLegend).count() > 1);
        double anyY = Double.NaN;
        for (Line line : lines) {
            double[] y = gapsForNonFinite(line.series().y());
            if (Double.isNaN(anyY)) {
                anyY = Arrays.stream(y).filter(v -> !Double.isNaN(v)).findFirst().orElse(Double.NaN);
            }
            XYSeries drawn = chart.addSeries(line.series().name(), line.series().x(), y);
            drawn.setLineColor(line.colour());
            drawn.setMarkerColor(line.colour());
            drawn.setLineWidth(line.width());
            drawn.setShowInLegend(line.inLegend());
            drawn.setMarker(line.series().x().length > MARKER_LIMIT ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        if (Double.isNaN(anyY)) {
            // XChart derives the axis range from the data and has none to derive it from: a run whose
            // loss was NaN from the start still gets its (empty) chart rather than an exception
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
            anyY = 0.5;
        }
        unevenX(chart, lines, anyY);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * XChart puts x ticks only at data points when the x values are evenly spaced, which for steps
     * 1 to 3120 gives ticks at 1, 141, 281 and so on. An invisible point between the first two x
     * values makes the spacing uneven, and XChart then picks round numbers. The point's y is one
     * of the data's, so it cannot stretch the y axis; alone and without a marker it draws nothing.
     */
    private static void unevenX(XYChart chart, List<Line> lines, double y) {
        TreeSet<Double> xs = new TreeSet<>();
        for (Line line : lines) {
            for (double x : line.series().x()) {
                xs.add(x);
            }
        }
        if (xs.size() < 2) {
            return;
        }
        double first = xs.first();
        double between = first + (xs.higher(first) - first) / 2;
        // a blank name cannot clash: Series refuses blank names
        XYSeries hint = chart.addSeries(" ", new double[] {between}, new double[] {y});
        hint.setMarker(SeriesMarkers.NONE);
        hint.setLineColor(new Color(0, 0, 0, 0));
        hint.setShowInLegend(false);
    }

    private static void style(XYStyler styler, boolean legend) {
        styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        styler.setAntiAlias(true);
        // the same tick labels (1,000.5) whatever the machine's language
        styler.setLocale(Locale.ROOT);
        styler.setToolTipsEnabled(false);
        styler.setChartPadding(Drawing.MARGIN);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setChartFontColor(Drawing.INK);
        styler.setChartTitleFont(Drawing.title());
        styler.setChartTitleBoxVisible(false);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Drawing.RULE);
        styler.setPlotGridLinesColor(new Color(0xeeeeee));
        styler.setPlotGridLinesStroke(new BasicStroke(1f));
        styler.setAxisTitleFont(Drawing.font(Font.PLAIN, Drawing.LABEL_SIZE));
        styler.setAxisTickLabelsFont(Drawing.font(Font.PLAIN, Drawing.TICK_SIZE));
        styler.setAxisTickLabelsColor(Drawing.MUTED_INK);
        styler.setAxisTickMarksColor(Drawing.RULE);
        styler.setMarkerSize(6);
        styler.setLegendVisible(legend);
        // below the plot, so that no corner of the data is ever hidden behind it
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendFont(Drawing.font(Font.PLAIN, 12));
        styler.setLegendBorderColor(Color.WHITE);
    }

    /** XChart leaves a gap at NaN but lets an infinity stretch the axis to nothing useful. */
    private static double[] gapsForNonFinite(double[] y) {
        double[] copy = y.clone();
        for (int i = 0; i < copy.length; i++) {
            if (Double.isInfinite(copy[i])) {
                copy[i] = Double.NaN;
            }
        }
        return copy;
    }
}
