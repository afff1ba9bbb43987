package dev.clipengine.bench.report;

import dev.clipengine.bench.GemmShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** A PNG bar chart of GFLOPS: one group of bars per shape, one bar per backend. */
final class SgemmChart {

    static {
        // drawn off-screen: the report runs on machines without a display
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 1600;
    private static final int HEIGHT = 800;
    /** Shape labels stand upright under their bars, so that dozens of them do not overlap. */
    private static final int LABEL_ROTATION_DEGREES = 90;

    private SgemmChart() {
    }

    /**
     * @param gflops the figure of a shape on a backend, or null where it was not measured (no bar)
     */
    static void write(Path file, String title, List<GemmShape> shapes, List<String> backends,
                      BiFunction<GemmShape, String, Double> gflops) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("shape (m x n x k, T: transposed)").yAxisTitle("GFLOPS").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(LABEL_ROTATION_DEGREES);
        chart.getStyler().setOverlapped(false);
        List<String> labels = shapes.stream().map(GemmShape::toString).toList();
        for (String backend : backends) {
            List<Double> values = new ArrayList<>();
            for (GemmShape shape : shapes) {
                values.add(gflops.apply(shape, backend));
            }
            chart.addSeries(backend, labels, values);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
