package dev.clipengine.cli;

import dev.clipengine.model.Batch;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.Example;
import dev.clipengine.data.PairDataset;
import dev.clipengine.eval.Evaluation;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.report.Plots;
import dev.clipengine.report.PlotsUnavailableException;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The pictures a training run leaves beside its model: the loss over steps, the validation scores
 * over steps, and the image-caption similarity matrix of a fixed sample, drawn like the
 * walkthrough card's.
 */
final class TrainingPictures {

    static final String LOSS = "loss.png";
    static final String ACCURACY = "accuracy.png";
    static final String SIMILARITY = "similarity.png";

    /** Pairs in the similarity picture: enough to see structure, few enough to read every caption. */
    static final int SAMPLE_PAIRS = 10;

    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    /** Steps the smoothed loss averages over (an exponential moving average's span). */
    private static final int LOSS_SMOOTHING = 20;

    private TrainingPictures() {
    }

    /**
     * The sample pairs of the similarity picture: one per class (or per distinct caption), from the
     * held-out pairs, else the validation pairs, else the training pairs; always the same ones.
     */
    static List<Example> sample(PairDataset dataset, DataSources.TrainingData data, int batchSize) {
        List<Example> from = !dataset.heldOut().isEmpty() ? dataset.heldOut()
                : !data.validation().isEmpty() ? data.validation() : dataset.train();
        List<Example> sample = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Example e : from) {
            String key = e.label() >= 0 ? "class " + e.label() : e.caption();
            if (seen.add(key)) {
                sample.add(e);
                // one forward pass holds them all
                if (sample.size() == Math.min(SAMPLE_PAIRS, batchSize)) {
                    break;
                }
            }
        }
        return sample;
    }

    /** Draws and writes the pictures; a machine that cannot draw gets one line, not a failed run. */
    static void write(Path folder, MetricsLog metrics, ClipGraph graph, List<Example> sample, PrintWriter out,
                      PrintWriter err) {
        try {
            List<Path> written = new ArrayList<>();
            // a resumed run that had no step left to take has no curve to draw
            if (metrics.steps().length > 0) {
                written.add(save(lossCurve(metrics), folder.resolve(LOSS)));
            }
            if (!metrics.validations().isEmpty()) {
                written.add(save(validationCurves(metrics.validations()), folder.resolve(ACCURACY)));
            }
            if (sample.size() >= 2) {
                written.add(save(similarity(graph, sample), folder.resolve(SIMILARITY)));
            }
            if (!written.isEmpty()) {
                out.println("pictures: " + String.join(", ", written.stream().map(Path::toString).toList()));
            }
        } catch (PlotsUnavailableException e) {
            err.println("note: no pictures drawn: " + e.getMessage());
        } catch (IOException e) {
            err.println("note: the pictures could not be written to " + folder + " (" + e.getMessage() + ")");
        }
    }

    private static Path save(BufferedImage image, Path file) throws IOException {
        Plots.writePng(image, file);
        return file;
    }

    private static BufferedImage lossCurve(MetricsLog metrics) {
        long[] steps = metrics.steps();
        double[] x = new double[steps.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = steps[i];
        }
        return Plots.smoothedLines("Training loss", "step", "contrastive loss",
                List.of(new Plots.Series("loss of each step", x, metrics.losses())), LOSS_SMOOTHING, WIDTH, HEIGHT);
    }

    private static BufferedImage validationCurves(List<MetricsLog.Validation> validations) {
        double[] x = validations.stream().mapToDouble(MetricsLog.Validation::step).toArray();
        Map<String, ToDoubleFunction<Evaluation.Report>> measures = new LinkedHashMap<>();
        if (!Double.isNaN(validations.getFirst().report().zeroShotTop1())) {
            measures.put("zero-shot top-1", Evaluation.Report::zeroShotTop1);
        }
        measures.put("image->text top-1", r -> r.imageToTextRecall()[0]);
        measures.put("text->image top-1", r -> r.textToImageRecall()[0]);
        List<Plots.Series> series = new ArrayList<>();
        measures.forEach((name, measure) -> series.add(new Plots.Series(name, x,
                validations.stream().mapToDouble(v -> 100 * measure.applyAsDouble(v.report())).toArray())));
        return Plots.lines("Validation (" + validations.getFirst().report().pairs() + " pairs)", "step", "percent",
                series, WIDTH, HEIGHT);
    }

    /**
     * Rows are images, columns captions; each row is the softmax over captions of the logits the
     * model trains on (scaled, normalised or not as its config says), as the card's matrix.
     */
    private static BufferedImage similarity(ClipGraph graph, List<Example> sample) {
        int n = sample.size();
        EncodedPairs pairs = new EncodedPairs(graph.model().config(), Tokenizer.of(graph.model()), sample, "sample",
                null);
        Batch batch = new Batch(graph.model().config(), n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        pairs.fill(batch, order, 0, n);
        graph.forward(batch);
        // the head's own row softmax of this forward: the leading n x n of a buffer planned larger
        float[] probabilities = java.util.Arrays.copyOf(graph.rowProbabilities(), n * n);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add("image " + (i + 1));
        }
        return Plots.heatmap("Image -> caption probabilities (image k's own caption is column k)", probabilities,
                n, n, rows, sample.stream().map(Example::caption).toList(), true, false);
    }
}
