package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.eval.Evaluation;
import dev.clipengine.io.ModelFile;
import dev.clipengine.io.TrainingCheckpoint;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.NonFiniteException;
import dev.clipengine.training.StopRequest;
import dev.clipengine.training.Trainer;
import dev.clipengine.training.TrainingOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Compute backend: scalar, vector, or one another module provides. Default: vector when "
                    + "the Vector API is enabled, else scalar.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "Threads to compute on. Default: every core.")
    Integer threads;

    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = DataSources.BUILT_IN,
            description = "Training pairs: '" + DataSources.BUILT_IN + "' (built in, no files), fashion-mnist:DIR or "
                    + "mnist:DIR (the four IDX files of a folder), or a TSV file with filepath and title columns.")
    String data;

    @Option(names = "--val-data", paramLabel = "FILE", description = "A TSV of held-out pairs to score at the end.")
    Path valData;

    @Option(names = "--val-split", paramLabel = "F", defaultValue = "0",
            description = "Hold out the last fraction F of a TSV's rows for scoring (0 <= F < 1).")
    double valSplit;

    @ArgGroup(exclusive = true)
    ModelSource modelSource = new ModelSource();

    static final class ModelSource {
        @Option(names = "--model", paramLabel = "CONFIG", defaultValue = ModelConfigs.DEFAULT,
                description = "Model config: 'default', 'seed' (the walkthrough card's tiny model) or a JSON file "
                        + "with the config keys.")
        String model = ModelConfigs.DEFAULT;

        @Option(names = "--init", paramLabel = "CHECKPOINT",
                description = "Start from this model file (config and vocabulary from its metadata).")
        Path init;

        @Option(names = "--resume", paramLabel = "PATH",
                description = "Continue a run from a training checkpoint, or from the newest complete one in a "
                        + "folder; give the same options as the run that wrote it.")
        Path resume;
    }

    @Option(names = "--word-vectors", paramLabel = "FILE",
            description = "Start the token embeddings from pre-trained vectors (word2vec text or binary, or GloVe); "
                    + "the vocabulary becomes the file's words plus <unk>, word_dim its dimension.")
    Path wordVectors;

    @Option(names = "--vocab-size", paramLabel = "N", defaultValue = "0",
            description = "With --word-vectors: keep the N-1 most frequent words, plus <unk> (0: all).")
    int vocabSize;

    @Option(names = "--freeze-word-vectors", description = "Keep the token embedding table fixed during training.")
    boolean freezeWordVectors;

    @Option(names = "--save-every", paramLabel = "N", defaultValue = "0",
            description = "Write a training checkpoint ckpt-<step>.safetensors every N steps (0: never).")
    long saveEvery;

    @Option(names = "--keep", paramLabel = "K", defaultValue = "3",
            description = "Keep the newest K checkpoints of this run's folder, deleting older ones (0: keep all).")
    int keep;

    @Option(names = "--skip-nonfinite", paramLabel = "N", defaultValue = "0",
            description = "Skip up to N steps whose loss or gradient is NaN or infinite instead of stopping.")
    int skipNonFinite;

    @Option(names = "--save-dir", paramLabel = "DIR",
            description = "Where checkpoints go. Default: the folder of --out.")
    Path saveDir;

    @ArgGroup(exclusive = true)
    Length length = new Length();

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps to take.")
        Long steps;

        @Option(names = "--epochs", paramLabel = "N",
                description = "Passes over the training data. Default: " + TrainCommand.DEFAULT_EPOCHS
                        + " when --steps is not given.")
        Integer epochs;
    }

    static final int DEFAULT_EPOCHS = 20;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Pairs per step.")
    int batchSize;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.002", description = "Learning rate.")
    double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adamw", description = "sgd or adamw.")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "X", defaultValue = "0", description = "SGD momentum.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0",
            description = "Weight decay, on weight matrices and embeddings only.")
    double weightDecay;

    @Option(names = "--beta1", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_BETA1, description = "AdamW beta1.")
    double beta1;

    @Option(names = "--beta2", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_BETA2, description = "AdamW beta2.")
    double beta2;

    @Option(names = "--eps", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_EPS, description = "AdamW epsilon.")
    double eps;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "constant",
            description = "Learning rate: constant, or cosine (linear warmup, then cosine decay to 0).")
    String schedule;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Warmup steps of the cosine schedule. Default: 100, or a tenth of a shorter run.")
    Long warmup;

    @Option(names = "--clip-grad", paramLabel = "X", defaultValue = "0",
            description = "Scale the gradients to a global L2 norm of at most X before each step (0: off).")
    double clipGrad;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the initial weights, the built-in data and the data order.")
    long seed;

    @Option(names = "--no-shuffle", description = "Take batches in file order instead of a new random order each epoch.")
    boolean noShuffle;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to save the trained model (safetensors). Default: model.safetensors in a new folder "
                    + "runs/<date>-<time>/.")
    Path out;

    @Option(names = "--results", paramLabel = "FILE", description = "Write the final loss and held-out scores as JSON.")
    Path results;

    @Option(names = "--log-every", paramLabel = "N",
            description = "Print a progress line every N steps. Default: about every 2 seconds.")
    Long logEvery;

    @Option(names = "--quiet", description = "Print only the final summary.")
    boolean quiet;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrainingOptions options = trainingOptions();
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        String backendName = backend == null ? Backends.defaultName() : backend;
        if (backend == null && !backendName.equals("vector")) {
            err.println("note: the Vector API is not enabled, so training runs on the slow scalar backend; "
                    + "start java with --add-modules jdk.incubator.vector");
        }
        // checked before any work, so a long run never ends unable to save
        Path modelOut = this.out != null ? OutputFiles.requireWritable(this.out, "--out") : OutputFiles.newRunFolder()
                .resolve("model.safetensors");
        if (results != null) {
            OutputFiles.requireWritable(results, "--results");
        }

        TrainingCheckpoint.Contents resumed = modelSource.resume == null ? null
                : TrainingCheckpoint.load(modelSource.resume);
        Path init = modelSource.init;
        ModelConfig requested = init == null && resumed == null ? ModelConfigs.resolve(modelSource.model, err) : null;
        ClipModel initial = resumed != null ? resumed.model() : init == null ? null : ModelFile.load(init);
        ModelConfig shape = initial != null ? initial.config() : requested;
        DataSources.TrainingData trainingData = DataSources.load(data, shape, seed, valData, valSplit);
        PairDataset dataset = trainingData.pairs();
        // with captions drawn per epoch, every caption that can be drawn, not only epoch 0's
        Vocabulary dataVocabulary = Vocabulary.fromCaptions(dataset.trainCaptions() != null
                ? dataset.trainCaptions().captions().allCaptions()
                : dataset.train().stream().map(e -> e.caption()).toList());
        ClipModel model = initial != null ? initial
                : wordVectors != null ? PretrainedWords.initialize(requested, wordVectors, vocabSize, seed)
                : ClipModel.initialize(requested.withVocabSize(dataVocabulary.size()), dataVocabulary, seed);
        if (wordVectors != null) {
            warnUnknownWords(dataVocabulary, model.vocabulary(), err);
        }
        ModelConfig config = model.config();
        if (initial != null) {
            warnUnknownWords(dataVocabulary, initial.vocabulary(), err);
        }

        try (Backend compute = Backends.create(backendName, threadCount)) {
            EncodedPairs train = new EncodedPairs(config, model.vocabulary(), dataset.train(), dataset.name() + " (train)",
                    dataset.trainCaptions());
            EncodedPairs heldOut = new EncodedPairs(config, model.vocabulary(), dataset.heldOut(),
                    dataset.name() + " (held out)");
            Trainer.requireOneBatch(dataset.name(), train.size(), options.batchSize());
            ClipGraph graph = new ClipGraph(model, compute, options.batchSize());
            Trainer trainer = new Trainer(graph, train, options);
            Map<String, Object> runOptions = runOptions(options, trainer);
            if (resumed != null) {
                resume(trainer, resumed, runOptions);
            }
            Path checkpoints = saveDir != null ? saveDir : modelOut.toAbsolutePath().getParent();
            if (saveEvery > 0) {
                OutputFiles.requireWritable(checkpoints.resolve(TrainingCheckpoint.fileName(0)), "--save-dir");
            }
            if (!quiet) {
                out.println("backend:   " + compute.describe());
                out.println("data:      " + dataset.name() + ": " + count(train.size(), "training pair") + ", "
                        + heldOut.size() + " held out" + (dataset.classNames().isEmpty() ? ""
                        : ", " + count(dataset.classNames().size(), "class")));
                out.println("model:     " + describe(config, modelSource.init != null ? modelSource.init : modelSource.resume)
                        + (resumed != null ? "; resuming after step " + trainer.stepsTaken() : ""));
                out.println("training:  " + count(trainer.totalSteps(), "step") + " of "
                        + count(options.batchSize(), "pair") + ", " + trainer.optimizer().describe() + ", lr "
                        + options.learningRate() + " " + options.schedule()
                        + (options.schedule().equals("cosine") ? " (warmup " + trainer.warmup() + ")" : "")
                        + ", seed " + options.seed());
            }
            long start = System.nanoTime();
            StopRequest stop = InterruptSignals.install();
            ProgressPrinter progress = new ProgressPrinter(out, quiet, logEvery);
            Path[] lastCheckpoint = {resumed != null ? resumed.file() : null};
            double[] losses;
            try {
                losses = trainer.run(report -> {
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
                OutputFiles.save(model, modelOut);
                Path checkpoint = saveCheckpoint(checkpoints, model, trainer, runOptions);
                spec.commandLine().getErr().println("clip-engine: interrupted by SIG" + stop.reason() + " after step "
                        + trainer.stepsTaken() + " of " + trainer.totalSteps() + "; the model is saved to " + modelOut
                        + " and the run to " + checkpoint + " (continue with --resume)");
                return InterruptSignals.exitStatus(stop.reason());
            }
            if (trainer.skippedSteps() > 0) {
                err.println("note: " + count(trainer.skippedSteps(), "step") + " skipped for non-finite values");
            }
            double finalLoss = lastFinite(losses);
            double meanLoss = tailMean(losses, 50);

            OutputFiles.save(model, modelOut);
            Evaluation.Report scores = Evaluation.evaluate(graph, heldOut, dataset.classPrompts(), options.batchSize());
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
            out.println("model saved to " + modelOut);
            if (results != null) {
                OutputFiles.writeJson(results, resultsJson(finalLoss, meanLoss, losses.length, seconds, scores));
                out.println("results written to " + results);
            }
        }
        return Main.OK;
    }

    /** The options a resumed run must share with the run that wrote its checkpoint. */
    private Map<String, Object> runOptions(TrainingOptions o, Trainer trainer) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("data", data);
        map.put("val_split", valSplit);
        map.put("seed", o.seed());
        map.put("batch_size", o.batchSize());
        map.put("total_steps", trainer.totalSteps());
        map.put("lr", o.learningRate());
        map.put("optimizer", o.optimizer());
        map.put("momentum", (double) o.momentum());
        map.put("weight_decay", (double) o.weightDecay());
        map.put("beta1", (double) o.beta1());
        map.put("beta2", (double) o.beta2());
        map.put("eps", (double) o.eps());
        map.put("schedule", o.schedule());
        map.put("warmup", trainer.warmup());
        map.put("clip_grad", o.clipGrad());
        map.put("shuffle", o.shuffle());
        map.put("freeze_word_vectors", o.freezeWordVectors());
        return map;
    }

    /** Writes ckpt-<step>.safetensors into folder, then prunes to the newest --keep; returns the file. */
    private Path saveCheckpoint(Path folder, ClipModel model, Trainer trainer, Map<String, Object> runOptions) {
        Map<String, Object> training = new LinkedHashMap<>(trainer.progress());
        training.put("optimizer_steps", trainer.optimizer().steps());
        training.put("options", runOptions);
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
    private static void resume(Trainer trainer, TrainingCheckpoint.Contents checkpoint, Map<String, Object> runOptions) {
        com.fasterxml.jackson.databind.JsonNode training = checkpoint.training();
        com.fasterxml.jackson.databind.JsonNode saved = training.get("options");
        String source = checkpoint.file().toString();
        if (saved == null || !training.hasNonNull("step") || !training.hasNonNull("data_order_rng")) {
            throw new BadInputException(source + ": its 'training' metadata lacks the step, options or data order");
        }
        for (Map.Entry<String, Object> option : runOptions.entrySet()) {
            com.fasterxml.jackson.databind.JsonNode value = saved.get(option.getKey());
            String expected = String.valueOf(option.getValue());
            if (value == null || !value.asText().equals(expected)) {
                throw new BadInputException(source + " was written by a run with " + option.getKey() + " = "
                        + (value == null ? "(none)" : value.asText()) + "; this one has " + expected
                        + " (resume with the same options)");
            }
        }
        long step = training.get("step").asLong();
        trainer.resume(step, Long.parseLong(training.get("data_order_rng").asText()));
        trainer.optimizer().restore(training.path("optimizer_steps").asLong(step), checkpoint.optimizer(), source);
    }

    /** Words of the data that the model's vocabulary lacks become {@code <unk>}: say so. */
    private static void warnUnknownWords(Vocabulary data, Vocabulary model, PrintWriter err) {
        java.util.Set<String> known = new java.util.HashSet<>(model.words());
        List<String> unknown = data.words().stream().skip(1).filter(w -> !known.contains(w)).toList();
        if (!unknown.isEmpty()) {
            err.println("note: " + unknown.size() + " of the data's " + (data.size() - 1) + " words are not in the "
                    + "model's vocabulary and read as <unk>: " + String.join(", ", unknown.subList(0,
                    Math.min(8, unknown.size()))) + (unknown.size() > 8 ? ", ..." : ""));
        }
    }

    private static String count(long n, String noun) {
        String plural = noun.endsWith("s") ? noun + "es" : noun + "s";
        return n + " " + (n == 1 ? noun : plural);
    }

    private TrainingOptions trainingOptions() {
        if (length.steps != null && length.steps < 1) {
            throw new BadInputException("--steps must be at least 1, got " + length.steps);
        }
        if (length.epochs != null && length.epochs < 1) {
            throw new BadInputException("--epochs must be at least 1, got " + length.epochs);
        }
        // the logits of a batch are batch^2 floats in one array
        // a contrastive loss needs at least two pairs to contrast
        Options.range("--batch-size", batchSize, 2, 32768);
        Options.range("--threads", threads == null ? 1 : threads, 1, 1024);
        Options.positive("--lr", lr);
        Options.range("--momentum", momentum, 0, 1);
        Options.range("--weight-decay", weightDecay, 0, 1e6);
        Options.range("--clip-grad", clipGrad, 0, 1e12);
        Options.range("--keep", keep, 0, 1_000_000);
        Options.range("--skip-nonfinite", skipNonFinite, 0, Integer.MAX_VALUE);
        Options.range("--save-every", saveEvery, 0, Long.MAX_VALUE / 2);
        Options.fraction("--beta1", beta1);
        Options.fraction("--beta2", beta2);
        Options.positive("--eps", eps);
        Options.range("--val-split", valSplit, 0, 0.99);
        if (warmup != null) {
            Options.atLeast("--warmup", warmup, 0);
        }
        var parsed = spec.commandLine().getParseResult();
        if (optimizer.equals("sgd")) {
            for (String adamOnly : List.of("--beta1", "--beta2", "--eps")) {
                if (parsed.hasMatchedOption(adamOnly)) {
                    throw new BadInputException(adamOnly + " is for adamw; sgd has --momentum");
                }
            }
        }
        if (schedule.equals("constant") && warmup != null) {
            throw new BadInputException("--warmup is for --schedule cosine");
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) {
            throw new BadInputException("--optimizer must be sgd or adamw, got '" + optimizer + "'");
        }
        if (optimizer.equals("adamw") && momentum != 0) {
            throw new BadInputException("--momentum is for sgd; adamw has --beta1 and --beta2");
        }
        if (!schedule.equals("constant") && !schedule.equals("cosine")) {
            throw new BadInputException("--schedule must be constant or cosine, got '" + schedule + "'");
        }
        if (wordVectors != null && (modelSource.init != null || modelSource.resume != null)) {
            throw new BadInputException("--word-vectors starts a new model; it cannot go with --init or --resume");
        }
        if (vocabSize != 0 && wordVectors == null) {
            throw new BadInputException("--vocab-size goes with --word-vectors");
        }
        Options.range("--vocab-size", vocabSize, 0, ModelConfig.MAX_DIM);
        if (logEvery != null && logEvery < 1) {
            throw new BadInputException("--log-every must be at least 1, got " + logEvery);
        }
        long steps = length.steps == null ? 0 : length.steps;
        int epochs = length.steps == null && length.epochs == null ? DEFAULT_EPOCHS
                : length.epochs == null ? 0 : length.epochs;
        return new TrainingOptions(steps, epochs, batchSize, lr, optimizer, (float) momentum, (float) weightDecay,
                (float) beta1, (float) beta2, (float) eps, seed, !noShuffle, schedule, warmup == null ? -1 : warmup, clipGrad, skipNonFinite, freezeWordVectors);
    }

    private static String describe(ModelConfig c, Path init) {
        return (init != null ? "from " + init + ": " : "")
                + "images " + c.channels() + "x" + c.imageSize() + "x" + c.imageSize() + " in " + c.patchesPerImage()
                + " patches of " + c.patchDim() + ", vocabulary " + c.vocabSize() + " x " + c.wordDim()
                + ", hidden " + c.textHidden() + " (text) / " + c.imageHidden() + " (image), embed " + c.embedDim()
                + (c.normalize() ? ", normalised" : "") + (c.learnableScale() ? ", learnable scale" : ", fixed scale");
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
            json.put("held_out_pairs", scores.pairs());
            if (!Double.isNaN(scores.zeroShotTop1())) {
                json.put("zero_shot_top1", scores.zeroShotTop1());
                json.put("zero_shot_classes", scores.classes());
            }
            json.put("image_to_text_top1", scores.imageToTextRecall()[0]);
            json.put("text_to_image_top1", scores.textToImageRecall()[0]);
        }
        return json;
    }
}
