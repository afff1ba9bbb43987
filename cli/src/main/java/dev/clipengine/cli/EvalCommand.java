package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.eval.Evaluation;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.report.Plots;
import dev.clipengine.report.PlotsUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code clip-engine eval}: zero-shot classification and retrieval scores of a saved model. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        showDefaultValues = true,
        description = "Score a saved model: zero-shot top-1/top-5, per class, confusions, and retrieval recall.")
public final class EvalCommand implements Callable<Integer> {

    /** Above this many classes the confusion matrix is summarised by its largest entries. */
    private static final int FULL_MATRIX_CLASSES = 12;

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "MODEL", required = true,
            description = "A model: our .safetensors file, an OpenAI/open_clip .safetensors state dict, or a Hugging Face CLIPModel folder.")
    Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = DataSources.BUILT_IN,
            description = "Pairs to score: '" + DataSources.BUILT_IN + "' (its held-out set), fashion-mnist:DIR or "
                    + "mnist:DIR (the test files), or a TSV file (every row).")
    String data;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the built-in data.")
    long seed;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Pairs encoded at once.")
    int batchSize;

    @Option(names = "--results", paramLabel = "FILE", description = "Write the scores as JSON.")
    Path results;

    @Option(names = "--confusion", paramLabel = "FILE",
            description = "Draw the confusion matrix as a PNG heatmap here. Default: beside the checkpoint, "
                    + "<checkpoint name>.confusion.png.")
    Path confusion;

    @Option(names = "--no-pictures", description = "Draw no confusion matrix.")
    boolean noPictures;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Options.range("--batch-size", batchSize, 1, 32768);
        if (results != null) {
            OutputFiles.requireWritable(results, "--results");
        }
        if (confusion != null) {
            if (noPictures) {
                throw new BadInputException("--confusion FILE says where the picture goes; --no-pictures draws none: "
                        + "give one");
            }
            OutputFiles.requireWritable(confusion, "--confusion");
        }
        ClipModel model = Checkpoints.load(checkpoint);
        PairDataset dataset;
        try (LoadingProgress loading = new LoadingProgress(out, false, "loading " + DataSources.shortName(data))) {
            dataset = DataSources.forEvaluation(data, model.config(), seed, loading);
        }
        List<dev.clipengine.data.Example> scored = dataset.heldOut();
        String what = dataset.name();
        if (scored.isEmpty()) {
            throw new BadInputException(what + " has no pairs to score");
        }
        try (Backend backend = compute.create(spec.commandLine().getErr())) {
            EncodedPairs pairs = new EncodedPairs(model.config(), Tokenizer.of(model), scored, what, null);
            ClipGraph graph = ClipGraph.forEncoding(model, backend, Math.min(batchSize, scored.size()));
            Evaluation.Report report = Evaluation.evaluate(graph, pairs, dataset.classPrompts(),
                    Math.min(batchSize, scored.size()));
            print(out, report, dataset, what);
            if (!noPictures && report.classes() > 0) {
                drawConfusion(report, dataset.classNames(), what, out);
            } else if (confusion != null) {
                spec.commandLine().getErr().println("note: " + what + " has no classes, so no confusion matrix");
            }
            if (results != null) {
                OutputFiles.writeJson(results, ScoresJson.detailed(report, dataset.classNames()));
                out.println("results written to " + results);
            }
        }
        return Main.OK;
    }

    private void print(PrintWriter out, Evaluation.Report r, PairDataset dataset, String what) {
        out.printf("%s on %s: %d images%s%n", checkpoint, what, r.pairs(),
                r.classes() > 0 ? ", " + r.classes() + " classes" : "");
        if (r.classes() > 0) {
            out.printf("zero-shot     top-1 %6s   top-5 %6s%n", percent(r.zeroShotTop1()), percent(r.zeroShotTop5()));
        }
        out.printf("retrieval     %7s %7s %7s%n", "R@1", "R@5", "R@10");
        out.printf("image->text   %7s %7s %7s%n", percent(r.imageToTextRecall()[0]), percent(r.imageToTextRecall()[1]),
                percent(r.imageToTextRecall()[2]));
        out.printf("text->image   %7s %7s %7s%n", percent(r.textToImageRecall()[0]), percent(r.textToImageRecall()[1]),
                percent(r.textToImageRecall()[2]));
        if (r.classes() == 0) {
            return;
        }
        List<String> names = dataset.classNames();
        int width = names.stream().mapToInt(String::length).max().orElse(5);
        out.println("per class (zero-shot top-1, images):");
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < r.classes(); c++) {
            int count = 0;
            for (int p = 0; p < r.classes(); p++) {
                count += r.confusion()[c][p];
            }
            if (count > 0) {
                present.add(c);
                out.printf("  %-" + width + "s %7s %6d%n", names.get(c), percent(r.perClassTop1()[c]), count);
            }
        }
        if (present.size() <= FULL_MATRIX_CLASSES && r.classes() <= FULL_MATRIX_CLASSES) {
            out.println("confusion (rows: true class, columns: predicted, in the order above):");
            for (int c : present) {
                StringBuilder row = new StringBuilder("  ");
                for (int p : present) {
                    row.append(String.format("%6d", r.confusion()[c][p]));
                }
                out.println(row);
            }
        } else {
            out.println("most frequent confusions (true -> predicted: images):");
            List<int[]> cells = new ArrayList<>();
            for (int c = 0; c < r.classes(); c++) {
                for (int p = 0; p < r.classes(); p++) {
                    if (c != p && r.confusion()[c][p] > 0) {
                        cells.add(new int[] {c, p, r.confusion()[c][p]});
                    }
                }
            }
            cells.sort((x, y) -> y[2] != x[2] ? y[2] - x[2] : x[0] != y[0] ? x[0] - y[0] : x[1] - y[1]);
            for (int[] cell : cells.subList(0, Math.min(10, cells.size()))) {
                out.printf("  %s -> %s: %d%n", names.get(cell[0]), names.get(cell[1]), cell[2]);
            }
        }
    }

    /** Each true class's row as fractions of its images, so that every row reads on the same scale. */
    private void drawConfusion(Evaluation.Report r, List<String> names, String what, PrintWriter out) {
        // named after the checkpoint, so that scoring several checkpoints of a folder keeps each picture
        String stem = checkpoint.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path file = confusion != null ? confusion : checkpoint.toAbsolutePath().resolveSibling(stem + ".confusion.png");
        int n = r.classes();
        float[] fractions = new float[n * n];
        for (int c = 0; c < n; c++) {
            int images = 0;
            for (int p = 0; p < n; p++) {
                images += r.confusion()[c][p];
            }
            for (int p = 0; p < n; p++) {
                fractions[c * n + p] = images == 0 ? Float.NaN : r.confusion()[c][p] / (float) images;
            }
        }
        try {
            Plots.writePng(Plots.heatmap("Zero-shot confusion on " + what + " (fraction of each true class)",
                    "true class", "predicted class", fractions, n, n, names, names, true, false), file);
            out.println("confusion matrix drawn to " + file);
        } catch (PlotsUnavailableException e) {
            spec.commandLine().getErr().println("note: no confusion picture: " + e.getMessage());
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("note: the confusion picture could not be written to " + file + " ("
                    + e.getMessage() + ")");
        }
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format("%.1f%%", 100 * fraction);
    }
}
