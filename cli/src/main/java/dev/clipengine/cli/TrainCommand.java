package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.eval.Evaluation;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.TrainingCheckpoint;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;
import dev.clipengine.model.Tokenizer;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.NonFiniteException;
import dev.clipengine.training.DistributedEngineProvider;
import dev.clipengine.training.RunOptions;
import dev.clipengine.training.StepEngine;
import dev.clipengine.training.StopRequest;
import dev.clipengine.training.Trainer;
import dev.clipengine.training.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code clip-engine train}: trains a model and reports its held-out scores. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        showDefaultValues = true,
        description = "Train a CLIP model on image-caption pairs (the built-in shapes data by default).")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ComputeOptions computeOptions;

    @Mixin
    TrainingFlags flags;

    @Mixin
    DistributedFlags distributed;

    @Option(names = "--save-every", paramLabel = "N", defaultValue = "0",
            description = "Write a training checkpoint ckpt-<step>.safetensors every N steps (0: never).")
    long saveEvery;

    @Option(names = "--keep", paramLabel = "K", defaultValue = "3",
            description = "Keep the newest K checkpoints of this run's folder, deleting older ones (0: keep all).")
    int keep;

    @Option(names = "--save-dir", paramLabel = "DIR",
            description = "Where checkpoints go. Default: the folder of --out.")
    Path saveDir;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to save the trained model (safetensors). Default: model.safetensors in a new folder "
                    + "runs/<date>-<time>/.")
    Path out;

    @Option(names = "--results", paramLabel = "FILE", description = "Write the final loss and held-out scores as JSON.")
    Path results;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "0",
            description = "Score the validation pairs (--val-split or --val-data) every N steps and at the end "
                    + "(0: never).")
    long evalEvery;

    @Option(names = "--log-every", paramLabel = "N",
            description = "Print a progress line (instead of a live bar) and a metrics line every N steps. Default: "
                    + "a bar on a terminal, else a line about every 2 seconds; a metrics line every step.")
    Long logEvery;

    @Option(names = "--metrics", paramLabel = "FILE",
            description = "One JSON object per logged step (step, epoch, loss, lr, logit_scale, scale, pairs/s, "
                    + "validation scores when taken). Default: metrics.jsonl beside --out. Another run's file there "
                    + "is moved aside; a resumed run continues its own.")
    Path metrics;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Where the pictures go (loss.png, accuracy.png, similarity.png). Default: the folder "
                    + "of --out.")
    Path report;

    @Option(names = "--no-pictures", description = "Draw no pictures.")
    boolean noPictures;

    @Option(names = "--quiet", description = "Print only the final summary.")
    boolean quiet;

    /** Where a run writes: every path checked writable before any work, so a long run never ends unable to save. */
    private record Outputs(Path model, Path metrics, Path pictures) {
    }

    /** What the run trains on: the encoded pairs of each split. */
    private record Splits(EncodedPairs train, EncodedPairs heldOut, EncodedPairs validation) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkOptions();
        DistributedEngineProvider cluster = distributed.check(flags::batchSizeBeforeReading);
        Outputs outputs = planOutputs();

        TrainingFlags.Prepared prepared;
        try (LoadingProgress loading = new LoadingProgress(out, quiet, "loading " + DataSources.shortName(flags.data))) {
            prepared = flags.prepare(err, loading);
        }
        TrainingOptions options = flags.trainingOptions(prepared.defaults());
        distributed.checkShares(options.batchSize());
        DataSources.TrainingData trainingData = prepared.data();
        PairDataset dataset = trainingData.pairs();
        if (evalEvery > 0 && trainingData.validation().isEmpty()) {
            throw new BadInputException("--eval-every needs validation pairs: --val-split F (the last fraction of the "
                    + "training pairs)" + (DataSources.acceptsValData(flags.data) ? " or --val-data FILE" : ""));
        }
        ClipModel model = prepared.model();
        Splits splits = encode(model, trainingData);

        try (Backend compute = computeOptions.create(err)) {
            Trainer.requireOneBatch(dataset.name(), splits.train().size(), options.batchSize());
            ClipGraph graph = ClipGraph.create(model, compute, options.batchSize());
            try (StepEngine engine = distributed.engine(cluster, graph, options, CommandPairs.of(flags),
                    splits.train().size(), computeOptions.backendName(), quiet ? new PrintWriter(Writer.nullWriter())
                            : out)) {
                return train(out, err, options, outputs, prepared, splits, compute, graph, engine);
            }
        }
    }

    /** Trains with the engine, saves and reports; returns the exit status. */
    private int train(PrintWriter out, PrintWriter err, TrainingOptions options, Outputs outputs,
                      TrainingFlags.Prepared prepared, Splits splits, Backend compute, ClipGraph graph,
                      StepEngine engine) {
        TrainingCheckpoint.Contents resumed = prepared.resumed();
        DataSources.TrainingData trainingData = prepared.data();
        PairDataset dataset = trainingData.pairs();
        ClipModel model = graph.model();
        Trainer trainer = new Trainer(graph, splits.train(), options, engine);
        RunOptions runOptions = new RunOptions(flags.data, flags.valSplit, options, trainer.totalSteps(),
                trainer.warmup());
        if (resumed != null) {
            resume(trainer, resumed, runOptions);
        }
        Path checkpoints = saveDir != null ? saveDir : outputs.model().toAbsolutePath().getParent();
        if (saveEvery > 0) {
            OutputFiles.requireWritable(checkpoints.resolve(TrainingCheckpoint.fileName(0)), "--save-dir");
        }
        if (!quiet) {
            printPlan(out, compute, trainingData, splits, trainer, options, resumed != null);
        }
        long start = System.nanoTime();
        StopRequest stop = InterruptSignals.install();
        Path[] lastCheckpoint = {resumed != null ? resumed.file() : null};
        double[] losses;
        MetricsLog metricsLog = resumed != null
                ? MetricsLog.continuing(outputs.metrics(), trainer.stepsTaken(), logEvery == null ? 1 : logEvery,
                        err)
                : MetricsLog.starting(outputs.metrics(), logEvery == null ? 1 : logEvery, err);
        try (metricsLog; Progress progress = Progress.of(out, quiet, logEvery, trainer.stepsTaken(),
                trainer.totalSteps())) {
            losses = trainer.run(report -> {
                Evaluation.Report validated = null;
                if (evalEvery > 0 && (report.step() % evalEvery == 0 || report.step() == report.totalSteps())) {
                    validated = Evaluation.evaluate(graph, splits.validation(), dataset.classPrompts(),
                            options.batchSize());
                    progress.note(describeValidation(report.step(), validated));
                }
                metricsLog.step(report, validated);
                progress.step(report);
                if (saveEvery > 0 && report.step() % saveEvery == 0) {
                    lastCheckpoint[0] = saveCheckpoint(checkpoints, model, trainer, runOptions);
                }
            }, stop);
        } catch (NonFiniteException e) {
            throw new NonFiniteException(e.step(), e.what(), "last good checkpoint: "
                    + (lastCheckpoint[0] == null ? "none, no --save-every" : lastCheckpoint[0])
                    + "; try a lower --lr, or --skip-nonfinite N");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (stop.requested()) {
            OutputFiles.save(model, outputs.model());
            Path checkpoint = saveCheckpoint(checkpoints, model, trainer, runOptions);
            err.println("clip-engine: interrupted by SIG" + stop.reason() + " after step " + trainer.stepsTaken()
                    + " of " + trainer.totalSteps() + "; the model is saved to " + outputs.model() + " and the run "
                    + "to " + checkpoint + " (continue with --resume)");
            return InterruptSignals.exitStatus(stop.reason());
        }
        if (engine.timeReport() != null && !quiet) {
            out.println(engine.timeReport());
        }
        if (trainer.skippedSteps() > 0) {
            err.println("note: " + count(trainer.skippedSteps(), "step") + " skipped for non-finite values");
        }
        OutputFiles.save(model, outputs.model());
        report(out, err, outputs, graph, splits, trainingData, metricsLog, options, losses, seconds);
        return Main.OK;
    }

    /** Checks the options given, each in range, before anything is read. */
    private void checkOptions() {
        flags.check(spec);
        computeOptions.threadCount();
        Options.range("--keep", keep, 0, 1_000_000);
        Options.range("--save-every", saveEvery, 0, Long.MAX_VALUE / 2);
        Options.range("--eval-every", evalEvery, 0, Long.MAX_VALUE / 2);
        if (logEvery != null && logEvery < 1) {
            throw new BadInputException("--log-every must be at least 1, got " + logEvery);
        }
        if (noPictures && report != null) {
            throw new BadInputException("--report DIR says where the pictures go; --no-pictures draws none: give one");
        }
    }

    private Outputs planOutputs() {
        Path modelOut = this.out != null ? OutputFiles.requireWritable(this.out, "--out") : OutputFiles.newRunFolder()
                .resolve("model.safetensors");
        if (results != null) {
            OutputFiles.requireWritable(results, "--results");
        }
        // relative where --out is, so that every path the run prints reads alike
        Path modelFolder = modelOut.getParent() != null ? modelOut.getParent() : Path.of("");
        Path metricsFile = OutputFiles.requireWritable(metrics != null ? metrics : modelFolder.resolve("metrics.jsonl"),
                "--metrics");
        Path pictures = noPictures ? null : report != null ? report : modelFolder;
        if (pictures != null) {
            OutputFiles.requireWritable(pictures.resolve(TrainingPictures.LOSS), "--report");
        }
        return new Outputs(modelOut, metricsFile, pictures);
    }

    /** The training pairs of a data set, captions encoded by the model's tokenizer. */
    static EncodedPairs trainingPairs(ClipModel model, PairDataset dataset) {
        return new EncodedPairs(model.config(), Tokenizer.of(model), dataset.train(), dataset.name() + " (train)",
                dataset.trainCaptions());
    }

    private static Splits encode(ClipModel model, DataSources.TrainingData trainingData) {
        PairDataset dataset = trainingData.pairs();
        ModelConfig config = model.config();
        Tokenizer tokenizer = Tokenizer.of(model);
        return new Splits(trainingPairs(model, dataset),
                new EncodedPairs(config, tokenizer, dataset.heldOut(), dataset.name() + " (held out)", null),
                new EncodedPairs(config, tokenizer, trainingData.validation(), dataset.name() + " (validation)", null));
    }

    private void printPlan(PrintWriter out, Backend compute, DataSources.TrainingData trainingData, Splits splits,
                           Trainer trainer, TrainingOptions options, boolean resuming) {
        PairDataset dataset = trainingData.pairs();
        out.println("backend:   " + compute.describe());
        // a TSV's validation pairs are its held-out pairs; other sources keep them apart
        boolean separateValidation = splits.validation().size() > 0
                && !trainingData.validation().equals(dataset.heldOut());
        out.println("data:      " + dataset.name() + ": " + count(splits.train().size(), "training pair") + ", "
                + (separateValidation ? splits.validation().size() + " validation, " : "")
                + splits.heldOut().size() + " held out" + (dataset.classNames().isEmpty() ? ""
                : ", " + count(dataset.classNames().size(), "class")));
        out.println("model:     " + describe(trainer.model().config(), flags.startingFile())
                + (resuming ? "; resuming after step " + trainer.stepsTaken() : ""));
        out.println("training:  " + count(trainer.totalSteps(), "step") + " of "
                + count(options.batchSize(), "pair") + ", " + trainer.optimizer().describe() + ", lr "
                + options.learningRate() + " " + options.schedule()
                + (options.schedule().equals("cosine") ? " (warmup " + trainer.warmup() + ")" : "")
                + ", seed " + options.seed());
    }

    /** The summary, the held-out scores, the results file and the pictures of a finished run. */
    private void report(PrintWriter out, PrintWriter err, Outputs outputs, ClipGraph graph, Splits splits,
                        DataSources.TrainingData trainingData, MetricsLog metricsLog, TrainingOptions options,
                        double[] losses, double seconds) {
        PairDataset dataset = trainingData.pairs();
        double finalLoss = lastFinite(losses);
        double meanLoss = tailMean(losses, 50);
        Evaluation.Report scores = Evaluation.evaluate(graph, splits.heldOut(), dataset.classPrompts(),
                options.batchSize());
        out.printf("trained %s in %.1f s (%.0f pairs/s); final loss %.4f (mean of the last %s: %.4f)%n",
                count(losses.length, "step"), seconds, losses.length * (double) options.batchSize() / seconds,
                finalLoss, count(Math.min(50, losses.length), "step"), meanLoss);
        if (scores.pairs() > 0) {
            String zeroShot = Double.isNaN(scores.zeroShotTop1()) ? ""
                    : "zero-shot top-1 " + percent(scores.zeroShotTop1()) + " over " + scores.classes() + " classes, ";
            out.printf("held out (%s): %simage->text top-1 %s, text->image top-1 %s%n",
                    count(scores.pairs(), "pair"), zeroShot, percent(scores.imageToTextRecall()[0]),
                    percent(scores.textToImageRecall()[0]));
        }
        out.println("model saved to " + outputs.model());
        out.println("metrics written to " + outputs.metrics());
        // the results before the pictures: a picture that cannot be drawn must not cost them
        if (results != null) {
            Map<String, Object> json = resultsJson(finalLoss, meanLoss, losses.length, seconds, scores);
            double median = metricsLog.medianStepSeconds();
            json.put("step_seconds_median", Double.isFinite(median) ? median : null);
            json.put("pairs_per_second", Double.isFinite(median) ? options.batchSize() / median : null);
            List<MetricsLog.Validation> validations = metricsLog.validations();
            if (!validations.isEmpty()) {
                json.put("validation", ScoresJson.scores(validations.getLast().report()));
            }
            OutputFiles.writeJson(results, json);
            out.println("results written to " + results);
        }
        if (outputs.pictures() != null) {
            TrainingPictures.write(outputs.pictures(), metricsLog, graph,
                    TrainingPictures.sample(dataset, trainingData, options.batchSize()), out, err);
        }
    }

    /** Writes ckpt-<step>.safetensors into folder, then prunes to the newest --keep; returns the file. */
    private Path saveCheckpoint(Path folder, ClipModel model, Trainer trainer, RunOptions runOptions) {
        Map<String, Object> training = new LinkedHashMap<>(trainer.progress());
        training.put("optimizer_steps", trainer.optimizer().steps());
        training.put("options", runOptions.toMap());
        training.put("args", spec.commandLine().getParseResult().originalArgs());
        Path file = folder.resolve(TrainingCheckpoint.fileName(trainer.stepsTaken()));
        try {
            TrainingCheckpoint.save(file, model, trainer.optimizer().state(), training);
            if (keep > 0) {
                TrainingCheckpoint.keepNewest(folder, keep);
            }
        } catch (java.io.IOException e) {
            throw new BadInputException("cannot write the checkpoint " + file + " (" + e.getMessage() + ")");
        }
        return file;
    }

    /** Puts the trainer and optimizer where the checkpoint left them, after checking the options agree. */
    private static void resume(Trainer trainer, TrainingCheckpoint.Contents checkpoint, RunOptions runOptions) {
        com.fasterxml.jackson.databind.JsonNode training = checkpoint.training();
        com.fasterxml.jackson.databind.JsonNode saved = training.get("options");
        String source = checkpoint.file().toString();
        if (saved == null || !training.hasNonNull("step") || !training.hasNonNull("data_order_rng")) {
            throw new BadInputException(source + ": its 'training' metadata lacks the step, options or data order");
        }
        runOptions.requireSameAs(saved, source);
        long step = training.get("step").asLong();
        trainer.resume(step, Long.parseLong(training.get("data_order_rng").asText()));
        trainer.optimizer().restore(training.path("optimizer_steps").asLong(step), checkpoint.optimizer(), source);
    }

    private static String count(long n, String noun) {
        String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
        return n + " " + (n == 1 ? noun : plural);
    }


    private static String describe(ModelConfig config, Path init) {
        String from = init != null ? "from " + init + ": " : "";
        return from + switch (config) {
            case MlpConfig c -> "images " + c.channels() + "x" + c.imageSize() + "x" + c.imageSize() + " in "
                    + c.patchesPerImage() + " patches of " + c.patchDim() + ", vocabulary " + c.vocabSize() + " x "
                    + c.wordDim() + ", hidden " + c.textHidden() + " (text) / " + c.imageHidden() + " (image), embed "
                    + c.embedDim() + (c.normalize() ? ", normalised" : "")
                    + (c.learnableScale() ? ", learnable scale" : ", fixed scale");
            case TransformerConfig c -> "transformer; images 3x" + c.imageSize() + "x" + c.imageSize() + " in "
                    + c.patchesPerImage() + " patches of " + c.patchSize() + "x" + c.patchSize() + ", width "
                    + c.vision().width() + ", " + c.vision().layers() + " layers, " + c.vision().heads()
                    + " heads; text context " + c.text().contextLength() + ", vocabulary " + c.vocabSize() + ", width "
                    + c.text().width() + ", " + c.text().layers() + " layers, " + c.text().heads() + " heads; embed "
                    + c.embedDim() + ", " + (c.quickGelu() ? "QuickGELU" : "GELU");
        };
    }

    /** The loss of the last step that was applied (skipped steps have none). */
    private static double lastFinite(double[] losses) {
        for (int i = losses.length - 1; i >= 0; i--) {
            if (Double.isFinite(losses[i])) {
                return losses[i];
            }
        }
        return Double.NaN;
    }

    private static double tailMean(double[] values, int count) {
        int n = Math.min(count, values.length);
        double sum = 0;
        int finite = 0;
        for (int i = values.length - n; i < values.length; i++) {
            // skipped steps' NaN losses are left out
            if (Double.isFinite(values[i])) {
                sum += values[i];
                finite++;
            }
        }
        return finite == 0 ? Double.NaN : sum / finite;
    }

    private static String describeValidation(long step, Evaluation.Report r) {
        String zeroShot = Double.isNaN(r.zeroShotTop1()) ? "" : "zero-shot top-1 " + percent(r.zeroShotTop1()) + ", ";
        return String.format("validation at step %d (%s): %simage->text top-1 %s, text->image top-1 %s", step,
                count(r.pairs(), "pair"), zeroShot, percent(r.imageToTextRecall()[0]),
                percent(r.textToImageRecall()[0]));
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format("%.1f%%", 100 * fraction);
    }

    private static Map<String, Object> resultsJson(double loss, double meanLoss, int steps, double seconds,
                                                   Evaluation.Report scores) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("loss", Double.isFinite(loss) ? loss : null);
        json.put("loss_mean_last_50", Double.isFinite(meanLoss) ? meanLoss : null);
        json.put("steps", steps);
        json.put("seconds", seconds);
        if (scores.pairs() > 0) {
            json.putAll(ScoresJson.scores(scores));
        }
        return json;
    }
}
