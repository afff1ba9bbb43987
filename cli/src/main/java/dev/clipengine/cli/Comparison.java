package dev.clipengine.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outcome of {@code compare}: per backend, its losses and speed, against the first backend. */
record Comparison(List<Row> rows, int batchSize, double stepFlops) {

    /**
     * One backend's run.
     *
     * @param losses           every step's loss
     * @param speedUp          the first backend's median step time over this one's
     * @param weightDifference {@code max |w - w_first| / max(1, max |w_first|)} at the end, worst tensor
     */
    record Row(String backend, String description, double[] losses, double medianStepSeconds, double pairsPerSecond,
               double gflops, double speedUp, double weightDifference) {
    }

    /** The largest relative difference of any backend's loss from the first's at a step. */
    double lossDifference(int step) {
        double baseline = rows.getFirst().losses()[step];
        double worst = 0;
        for (Row row : rows) {
            worst = Math.max(worst, Math.abs(row.losses()[step] - baseline) / Math.max(1e-12, Math.abs(baseline)));
        }
        return worst;
    }

    /** The largest relative loss difference over every step, and at which step (1-based). */
    double[] largestLossDifference() {
        double worst = 0;
        int at = 0;
        for (int s = 0; s < steps(); s++) {
            double d = lossDifference(s);
            // a NaN difference (a skipped step) must not hide behind a comparison that is always false
            if (d > worst || Double.isNaN(d)) {
                worst = d;
                at = s;
                if (Double.isNaN(d)) {
                    break;
                }
            }
        }
        return new double[] {worst, at + 1};
    }

    int steps() {
        return rows.getFirst().losses().length;
    }

    void print(PrintWriter out, long every) {
        out.println();
        StringBuilder header = new StringBuilder(String.format("%8s", "step"));
        for (Row row : rows) {
            header.append(String.format("  %12s", row.backend()));
        }
        out.println(header.append("  max rel. diff"));
        for (int s = 0; s < steps(); s++) {
            if ((s + 1) % every != 0 && s != 0 && s != steps() - 1) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format("%8d", s + 1));
            for (Row row : rows) {
                line.append(String.format("  %12.6f", row.losses()[s]));
            }
            out.println(line.append(String.format("  %13.1e", lossDifference(s))));
        }
        double[] largest = largestLossDifference();
        out.printf("largest relative loss difference: %.1e (step %d)%n", largest[0], (long) largest[1]);
        out.println();
        out.printf("%-10s %12s %10s %8s %9s  %s%n", "backend", "median step", "pairs/s", "GFLOPS", "speed-up",
                "weight diff.");
        for (Row row : rows) {
            out.printf("%-10s %9.2f ms %10.0f %8.1f %8.2fx  %s%n", row.backend(), 1e3 * row.medianStepSeconds(),
                    row.pairsPerSecond(), row.gflops(), row.speedUp(),
                    row == rows.getFirst() ? "(baseline)" : String.format("%.1e", row.weightDifference()));
        }
        out.printf("GFLOPS: the step's matrix products (%.3g floating-point operations with the data's mean caption "
                + "length) over its median time; weight diff.: max |w - w_%s| / max(1, max |w_%s|) at the end%n",
                stepFlops, rows.getFirst().backend(), rows.getFirst().backend());
        out.flush();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("steps", steps());
        json.put("batch_size", batchSize);
        json.put("step_flops", stepFlops);
        double[] largest = largestLossDifference();
        json.put("max_loss_rel_diff", largest[0]);
        json.put("max_loss_rel_diff_step", (long) largest[1]);
        List<Map<String, Object>> backends = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("backend", row.backend());
            b.put("description", row.description());
            b.put("median_step_seconds", row.medianStepSeconds());
            b.put("pairs_per_second", row.pairsPerSecond());
            b.put("gflops", row.gflops());
            b.put("speed_up", row.speedUp());
            b.put("max_weight_diff", row.weightDifference());
            b.put("losses", row.losses());
            backends.add(b);
        }
        json.put("backends", backends);
        return json;
    }
}
