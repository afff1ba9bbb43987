package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.StepFlops;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.training.StopRequest;
import dev.clipengine.training.Trainer;
import dev.clipengine.training.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code clip-engine compare}: trains the same model from the same seed on several backends in one
 * process, taking turns of a few steps so that all see the same machine, and prints how their
 * losses, final weights and speeds compare.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        showDefaultValues = true,
        description = "Train the same model on several backends side by side and compare losses, weights and speed.")
public final class CompareCommand implements Callable<Integer> {

    static final long DEFAULT_STEPS = 200;

    @Spec
    CommandSpec spec;

    @Option(names = "--backends", paramLabel = "LIST", split = ",", defaultValue = "vector,blas",
            description = "Backends to compare, the first being the baseline (e.g. vector,blas,javacpp,scalar).")
    List<String> backends;

    @Option(names = "--threads", paramLabel = "N", description = "Threads each backend computes on. Default: every "
            + "core.")
    Integer threads;

    @Option(names = "--turn", paramLabel = "N", defaultValue = "10",
            description = "Steps a backend takes before the next one's turn.")
    int turn;

    @Option(names = "--loss-every", paramLabel = "N",
            description = "Show the losses every N steps. Default: ten rows.")
    Long lossEvery;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the comparison as JSON.")
    Path json;

    @Mixin
    TrainingFlags flags;

    @Mixin
    DebugOption debug;

    /** One backend's run. */
    private static final class Lane {
        final String name;
        final Backend backend;
        final Trainer trainer;
        final double[] losses;
        final double[] stepSeconds;

        Lane(String name, Backend backend, Trainer trainer) {
            this.name = name;
            this.backend = backend;
            this.trainer = trainer;
            this.losses = new double[Math.toIntExact(trainer.totalSteps())];
            this.stepSeconds = new double[losses.length];
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (flags.length.steps == null && flags.length.epochs == null) {
            flags.length.steps = DEFAULT_STEPS;
        }
        flags.check(spec);
        Options.range("--threads", threads == null ? 1 : threads, 1, 1024);
        Options.range("--turn", turn, 1, Integer.MAX_VALUE);
        if (lossEvery != null) {
            Options.atLeast("--loss-every", lossEvery, 1);
        }
        List<String> names = List.copyOf(new LinkedHashSet<>(backends));
        if (names.size() < 2) {
            throw new BadInputException("--backends needs at least two different backends, got " + backends);
        }
        if (flags.modelSource.resume != null) {
            throw new BadInputException("compare starts new runs; --resume is for train");
        }
        if (json != null) {
            OutputFiles.requireWritable(json, "--json");
        }
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;

        TrainingFlags.Prepared prepared = flags.prepare(spec.commandLine().getErr());
        TrainingOptions options = flags.trainingOptions(prepared.defaults());
        PairDataset dataset = prepared.data().pairs();
        ClipModel initial = prepared.model();
        List<Lane> lanes = new ArrayList<>();
        try {
            for (String name : names) {
                Backend backend = Backends.create(name, threadCount);
                ClipModel model = copy(initial);
                // each run draws its own per-epoch captions, as the runs take turns through the epochs
                EncodedPairs pairs = new EncodedPairs(model.config(), Tokenizer.of(model), dataset.train(),
                        dataset.name() + " (train)",
                        dataset.trainCaptions() == null ? null : dataset.trainCaptions().independentCopy());
                lanes.add(new Lane(name, backend, new Trainer(ClipGraph.create(model, backend, options.batchSize()),
                        pairs, options)));
            }
            long total = lanes.getFirst().trainer.totalSteps();
            out.printf("compare: %s, %d steps of %d pairs, turns of %d steps, %s, seed %d%n",
                    String.join(" vs ", names), total, options.batchSize(), turn, dataset.name(), options.seed());
            for (Lane lane : lanes) {
                out.println("  " + lane.name + ": " + lane.backend.describe());
            }
            out.flush();
            StopRequest interrupt = InterruptSignals.install();
            while (lanes.getFirst().trainer.stepsTaken() < total) {
                for (Lane lane : lanes) {
                    takeTurn(lane);
                }
                if (interrupt.requested()) {
                    spec.commandLine().getErr().println("clip-engine: compare interrupted by SIG" + interrupt.reason()
                            + " after step " + lanes.getFirst().trainer.stepsTaken() + " of " + total);
                    return InterruptSignals.exitStatus(interrupt.reason());
                }
            }
            Comparison comparison = compare(lanes, options, prepared);
            comparison.print(out, lossEvery != null ? lossEvery : Math.max(1, total / 10));
            if (json != null) {
                OutputFiles.writeJson(json, comparison.toJson());
                out.println("comparison written to " + json);
            }
            return Main.OK;
        } finally {
            for (Lane lane : lanes) {
                lane.backend.close();
            }
        }
    }

    private void takeTurn(Lane lane) {
        StopRequest endOfTurn = new StopRequest();
        long first = lane.trainer.stepsTaken();
        lane.trainer.run(report -> {
            int index = (int) (report.step() - 1);
            lane.losses[index] = report.loss();
            lane.stepSeconds[index] = report.stepSeconds();
            if (report.step() - first >= turn) {
                endOfTurn.request("TURN");
            }
        }, endOfTurn);
    }

    private static ClipModel copy(ClipModel model) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor t : model.tensors()) {
            tensors.put(t.name(), new Tensor(t.name(), t.shape(), t.data().clone()));
        }
        return new ClipModel(model.config(), model.vocabulary(), tensors, "the starting model");
    }

    private static Comparison compare(List<Lane> lanes, TrainingOptions options, TrainingFlags.Prepared prepared) {
        ClipModel baseline = lanes.getFirst().trainer.model();
        PairDataset dataset = prepared.data().pairs();
        double meanTokens = dataset.train().stream().mapToInt(e -> baseline.vocabulary().encode(e.caption(),
                baseline.config().maxTokens(), "caption").length).average().orElse(0);
        double flops = StepFlops.trainingStep(baseline.config(), options.batchSize(), meanTokens * options.batchSize());
        List<Comparison.Row> rows = new ArrayList<>();
        double baselineMedian = Double.NaN;
        for (Lane lane : lanes) {
            double median = median(lane.stepSeconds);
            if (rows.isEmpty()) {
                baselineMedian = median;
            }
            double weightDifference = rows.isEmpty() ? 0 : largestDifference(lane.trainer.model(), baseline);
            rows.add(new Comparison.Row(lane.name, lane.backend.describe(), lane.losses, median,
                    options.batchSize() / median, flops / median / 1e9, baselineMedian / median, weightDifference));
        }
        return new Comparison(rows, options.batchSize(), flops);
    }

    /** {@code max |a - b| / max(1, max |b|)} over every tensor: the tolerance measure of docs/model.md. */
    static double largestDifference(ClipModel a, ClipModel b) {
        double worst = 0;
        for (Tensor t : b.tensors()) {
            float[] x = a.tensor(t.name()).data();
            float[] y = t.data();
            double largest = 1;
            double difference = 0;
            for (int i = 0; i < y.length; i++) {
                largest = Math.max(largest, Math.abs(y[i]));
                difference = Math.max(difference, Math.abs((double) x[i] - y[i]));
            }
            worst = Math.max(worst, difference / largest);
        }
        return worst;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
