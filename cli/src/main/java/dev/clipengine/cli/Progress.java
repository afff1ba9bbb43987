package dev.clipengine.cli;

import dev.clipengine.training.TrainingListener;

import java.io.PrintWriter;

/**
 * How a training run shows its progress: a live bar on a terminal, a plain line about every two
 * seconds anywhere else (CI logs, files), nothing under {@code --quiet}.
 */
interface Progress extends TrainingListener, AutoCloseable {

    /** Prints a line of its own, such as a validation's scores, without garbling the display. */
    void note(String line);

    /** Ends the display; the final summary prints after it. */
    @Override
    void close();

    /**
     * @param everySteps print a line every this many steps instead of by time (plain lines only)
     * @param firstStep  steps already taken (a resumed run), so speed and time left count this run's
     */
    static Progress of(PrintWriter out, boolean quiet, Long everySteps, long firstStep, long totalSteps) {
        if (quiet) {
            return new Progress() {
                @Override
                public void step(StepReport report) {
                }

                @Override
                public void note(String line) {
                }

                @Override
                public void close() {
                }
            };
        }
        return Main.onTerminal() && everySteps == null ? new ProgressBarDisplay(out, firstStep, totalSteps)
                : new ProgressLines(out, everySteps);
    }
}
