package dev.clipengine.cli;

import java.io.PrintWriter;

/** Prints a progress line every N steps, or about every two seconds, and at the last step. */
final class ProgressLines implements Progress {

    private static final long DEFAULT_INTERVAL_NANOS = 2_000_000_000L;

    private final PrintWriter out;
    private final Long everySteps;
    private final long startNanos = System.nanoTime();
    private long lastPrintNanos = startNanos;
    private long stepsThisRun;
    private long pairsSinceLastPrint;
    private double lossSinceLastPrint;
    private long stepsSinceLastPrint;

    ProgressLines(PrintWriter out, Long everySteps) {
        this.out = out;
        this.everySteps = everySteps;
    }

    @Override
    public void step(StepReport r) {
        stepsThisRun++;
        pairsSinceLastPrint += r.batchSize();
        lossSinceLastPrint += r.loss();
        stepsSinceLastPrint++;
        long now = System.nanoTime();
        boolean due = everySteps != null ? r.step() % everySteps == 0 : now - lastPrintNanos >= DEFAULT_INTERVAL_NANOS;
        if (!(due || r.step() == r.totalSteps())) {
            return;
        }
        double elapsed = (now - startNanos) / 1e9;
        double pairsPerSecond = pairsSinceLastPrint / Math.max(1e-9, (now - lastPrintNanos) / 1e9);
        double secondsLeft = elapsed / stepsThisRun * (r.totalSteps() - r.step());
        out.printf("step %6d/%d  epoch %3d  loss %.4f  lr %.2e  scale %6.2f  %7.0f pairs/s  %s left%n",
                r.step(), r.totalSteps(), r.epoch(), lossSinceLastPrint / stepsSinceLastPrint, r.learningRate(),
                r.logitScale(), pairsPerSecond, clock(secondsLeft));
        out.flush();
        lastPrintNanos = now;
        pairsSinceLastPrint = 0;
        lossSinceLastPrint = 0;
        stepsSinceLastPrint = 0;
    }

    @Override
    public void note(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
