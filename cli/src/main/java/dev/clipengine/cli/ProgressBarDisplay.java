package dev.clipengine.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;

/** A live progress bar on the terminal: step, elapsed and time left, epoch, loss, pairs per second. */
final class ProgressBarDisplay implements Progress {

    /** Loss shown on the bar: a running average over about this many steps, as one step's is noisy. */
    private static final double LOSS_SMOOTHING_STEPS = 20;

    private final PrintWriter out;
    private final ProgressBar bar;
    private double smoothedLoss = Double.NaN;

    ProgressBarDisplay(PrintWriter out, long firstStep, long totalSteps) {
        this.out = out;
        out.flush();
        this.bar = bar("train", totalSteps, firstStep, " steps");
    }

    /** A bar on standard output, the style every progress bar of the command line shares. */
    static ProgressBar bar(String task, long total, long first, String unit) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(first, Duration.ZERO)
                .setUnit(unit, 1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.out, true)))
                .build();
    }

    @Override
    public void step(StepReport r) {
        if (Double.isFinite(r.loss())) {
            double weight = 1 / LOSS_SMOOTHING_STEPS;
            smoothedLoss = Double.isNaN(smoothedLoss) ? r.loss() : (1 - weight) * smoothedLoss + weight * r.loss();
        }
        bar.stepTo(r.step());
        // short, as the bar is cut at the terminal's width
        bar.setExtraMessage(String.format("epoch %d, loss %.4f, %.0f pairs/s", r.epoch(), smoothedLoss,
                r.batchSize() / Math.max(1e-12, r.stepSeconds())));
    }

    @Override
    public void note(String line) {
        // start on a fresh line below the bar, which redraws itself beneath
        System.out.print("\r\033[K");
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        bar.close();
    }
}
