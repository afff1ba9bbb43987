package dev.clipengine.cli;

import dev.clipengine.data.LoadProgress;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintWriter;

/**
 * Shows how far the decoding of images has got: a bar on a terminal, a line about every two
 * seconds elsewhere (and none for work that ends sooner), nothing under {@code --quiet}. Decoding
 * runs on several threads, so every call is synchronised.
 */
final class LoadingProgress implements LoadProgress, AutoCloseable {

    private static final long LINE_INTERVAL_NANOS = 2_000_000_000L;

    private final PrintWriter out;
    private final boolean quiet;
    private final String task;
    private final long startNanos = System.nanoTime();
    private long lastLineNanos = startNanos;
    private ProgressBar bar;
    private int shown;

    /** @param task what is being loaded, e.g. {@code pairs.tsv} */
    LoadingProgress(PrintWriter out, boolean quiet, String task) {
        this.out = out;
        this.quiet = quiet;
        this.task = task;
    }

    @Override
    public synchronized void loaded(int done, int total) {
        if (quiet || done <= shown) {
            // threads report out of order: never step backwards
            return;
        }
        shown = done;
        if (Main.onTerminal()) {
            if (bar == null) {
                out.flush();
                bar = ProgressBarDisplay.bar(task, total, 0, " images");
            }
            bar.stepTo(done);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLineNanos >= LINE_INTERVAL_NANOS || (done == total && now - startNanos >= LINE_INTERVAL_NANOS)) {
            out.printf("%s: %d of %d images decoded%n", task, done, total);
            out.flush();
            lastLineNanos = now;
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
