package dev.clipengine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.eval.Evaluation;
import dev.clipengine.io.AtomicFiles;
import dev.clipengine.training.TrainingListener.StepReport;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's numbers: one JSON object per logged step appended to a file (JSON lines, for
 * pandas or jq), plus what the pictures and the results file need (every step's loss, each
 * validation, the median step time).
 */
final class MetricsLog implements AutoCloseable {

    /** Step times kept for the median: enough for a stable figure, bounded for long runs. */
    private static final int TIMED_STEPS = 4096;

    /** One validation taken during training. */
    record Validation(long step, Evaluation.Report report) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final BufferedWriter writer;
    private final Path file;
    private final long every;
    private long[] steps = new long[1024];
    private double[] losses = new double[1024];
    private int count;
    private final double[] stepSeconds = new double[TIMED_STEPS];
    private long timed;
    private final List<Validation> validations = new ArrayList<>();

    /**
     * A new run's log. A file already there, another run's, is moved aside to {@code FILE.1} (or the
     * next free number) with a note, never overwritten.
     */
    static MetricsLog starting(Path file, long every, PrintWriter err) {
        try {
            if (Files.exists(file) && Files.size(file) > 0) {
                Path aside = file;
                for (int n = 1; Files.exists(aside); n++) {
                    aside = file.resolveSibling(file.getFileName() + "." + n);
                }
                Files.move(file, aside);
                err.println("note: " + file + " held another run's metrics; moved to " + aside);
            }
        } catch (IOException e) {
            throw new BadInputException("cannot set aside the metrics file " + file + " (" + e.getMessage() + ")");
        }
        return new MetricsLog(file, every);
    }

    /**
     * A resumed run's log: the file keeps the lines up to the checkpoint's step and continues them;
     * lines of steps past it (a run killed after its last checkpoint) are dropped, as those steps
     * are taken again.
     */
    static MetricsLog continuing(Path file, long checkpointStep, long every, PrintWriter err) {
        if (Files.exists(file)) {
            try {
                List<String> kept = new ArrayList<>();
                ObjectMapper json = new ObjectMapper();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    var step = line.isBlank() ? null : json.readTree(line).get("step");
                    if (step != null && step.asLong() <= checkpointStep) {
                        kept.add(line);
                    }
                }
                AtomicFiles.write(file, temporary -> Files.write(temporary, kept, StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.println("note: the metrics file " + file + " could not be read (" + e.getMessage()
                        + "); starting it anew");
                return starting(file, every, err);
            }
        }
        return new MetricsLog(file, every);
    }

    /**
     * @param file  where the lines go (appended), or null for none
     * @param every write every this many steps (and every step that was validated)
     */
    private MetricsLog(Path file, long every) {
        this.file = file;
        this.every = every;
        if (file == null) {
            writer = null;
            return;
        }
        try {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BadInputException("cannot write the metrics file " + file + " (" + e.getMessage() + ")");
        }
    }

    Path file() {
        return file;
    }

    /** Records a step, and writes its line when due. @param validation the step's validation, or null */
    void step(StepReport r, Evaluation.Report validation) {
        if (count == steps.length) {
            steps = Arrays.copyOf(steps, 2 * count);
            losses = Arrays.copyOf(losses, 2 * count);
        }
        steps[count] = r.step();
        losses[count] = r.loss();
        count++;
        stepSeconds[(int) (timed++ % TIMED_STEPS)] = r.stepSeconds();
        if (validation != null) {
            validations.add(new Validation(r.step(), validation));
        }
        if (writer != null && (r.step() % every == 0 || validation != null || r.step() == r.totalSteps())) {
            write(line(r, validation));
        }
    }

    private Map<String, Object> line(StepReport r, Evaluation.Report validation) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", r.step());
        line.put("epoch", r.epoch());
        line.put("loss", ScoresJson.finite(r.loss()));
        line.put("lr", r.learningRate());
        // the file's logit_scale is the logarithm; the scale the logits are multiplied by beside it
        line.put("logit_scale", Math.log(r.logitScale()));
        line.put("scale", r.logitScale());
        line.put("pairs_per_second", r.batchSize() / Math.max(1e-12, r.stepSeconds()));
        line.put("step_seconds", r.stepSeconds());
        if (validation != null) {
            line.put("validation", ScoresJson.scores(validation));
        }
        return line;
    }

    private void write(Map<String, Object> line) {
        try {
            writer.write(json.writeValueAsString(line));
            writer.newLine();
            // a line at a time, so a killed run keeps every line it logged and `tail -f` follows it
            writer.flush();
        } catch (IOException e) {
            throw new BadInputException("cannot write the metrics file " + file + " (" + e.getMessage() + ")");
        }
    }

    /** Median compute time of a step, over the last {@value #TIMED_STEPS} steps; NaN before any. */
    double medianStepSeconds() {
        int n = (int) Math.min(timed, TIMED_STEPS);
        if (n == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(stepSeconds, n);
        Arrays.sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The steps recorded by this run, in order. */
    long[] steps() {
        return Arrays.copyOf(steps, count);
    }

    /** Each recorded step's loss (NaN for a skipped one). */
    double[] losses() {
        return Arrays.copyOf(losses, count);
    }

    List<Validation> validations() {
        return List.copyOf(validations);
    }


    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new BadInputException("cannot write the metrics file " + file + " (" + e.getMessage() + ")");
            }
        }
    }
}
