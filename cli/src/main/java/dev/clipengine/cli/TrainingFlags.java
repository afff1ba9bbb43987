package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.io.Checkpoints;
import dev.clipengine.io.TrainingCheckpoint;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.TrainingOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The options that define a training run (data, model, length, optimizer, schedule, seed), shared
 * by {@code train} and {@code compare}, with their checks and the loading they call for.
 */
final class TrainingFlags {

    static final int DEFAULT_EPOCHS = 20;

    @Option(names = "--data", paramLabel = "SOURCE", defaultValue = DataSources.BUILT_IN,
            description = "Training pairs: '" + DataSources.BUILT_IN + "' (built in, no files), fashion-mnist:DIR or "
                    + "mnist:DIR (the four IDX files of a folder), or a TSV file with filepath and title columns.")
    String data;

    @Option(names = "--val-data", paramLabel = "FILE",
            description = "A TSV of validation pairs, scored by --eval-every and at the end.")
    Path valData;

    @Option(names = "--val-split", paramLabel = "F", defaultValue = "0",
            description = "Hold out the last fraction F of the training pairs as validation pairs (0 <= F < 1). A "
                    + "TSV's are also scored at the end; IDX and built-in data report on their own test pairs.")
    double valSplit;

    @ArgGroup(exclusive = true)
    ModelSource modelSource = new ModelSource();

    static final class ModelSource {
        @Option(names = "--model", paramLabel = "CONFIG", defaultValue = ModelConfigs.DEFAULT,
                description = "Model config. The card's linear + ReLU towers: 'default', 'seed' (the walkthrough "
                        + "card's tiny model), 'benchmark' (the fixed model speed is measured on). Transformers "
                        + "(OpenAI's CLIP ViT architecture): 'vit-tiny' (sized for the built-in data), 'vit-fashion' "
                        + "(Fashion-MNIST), 'vit-bench' (the fixed transformer speed is measured on), 'ViT-B-32', "
                        + "'ViT-B-16'. Or a JSON file with the config keys (docs/formats.md).")
        String model = ModelConfigs.DEFAULT;

        @Option(names = "--init", paramLabel = "CHECKPOINT",
                description = "Start from this model (config and weights from it): our file, an OpenAI/open_clip "
                        + ".safetensors state dict or a Hugging Face CLIPModel folder; fine-tunes it.")
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

    @Option(names = "--lock-image", description = "Keep the image tower as it is (with --init: fine-tune the text "
            + "tower alone); it gets no optimizer state and no backward pass.")
    boolean lockImage;

    @Option(names = "--lock-text", description = "Keep the text tower as it is (with --init: fine-tune the image "
            + "tower alone); it gets no optimizer state and no backward pass.")
    boolean lockText;

    @Option(names = "--skip-nonfinite", paramLabel = "N", defaultValue = "0",
            description = "Skip up to N steps whose loss or gradient is NaN or infinite instead of stopping.")
    int skipNonFinite;

    @ArgGroup(exclusive = true)
    Length length = new Length();

    static final class Length {
        @Option(names = "--steps", paramLabel = "N", description = "Optimizer steps to take.")
        Long steps;

        @Option(names = "--epochs", paramLabel = "N",
                description = "Passes over the training data. Default: " + TrainingFlags.DEFAULT_EPOCHS
                        + " when --steps is not given.")
        Integer epochs;
    }


    @Option(names = "--batch-size", paramLabel = "N",
            description = "Pairs per step. Default: 128, 64 for a new transformer (open_clip's), the saved run's "
                    + "with --resume.")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate. Default: 0.002 for the card's model, "
            + "0.003 for a new transformer, 1e-5 to fine-tune one (--init), the saved run's with --resume.")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adamw", description = "sgd or adamw.")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "X", defaultValue = "0", description = "SGD momentum.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "X",
            description = "Weight decay, on weight matrices and embeddings only. Default: 0 for the card's model, "
                    + "0.2 for a new transformer, 0.1 to fine-tune one (--init), the saved run's with --resume.")
    Double weightDecay;

    @Option(names = "--beta1", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_BETA1, description = "AdamW beta1.")
    double beta1;

    @Option(names = "--beta2", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_BETA2, description = "AdamW beta2.")
    double beta2;

    @Option(names = "--eps", paramLabel = "X", defaultValue = "" + AdamW.DEFAULT_EPS, description = "AdamW epsilon.")
    double eps;

    @Option(names = "--schedule", paramLabel = "NAME",
            description = "Learning rate: constant, or cosine (linear warmup, then cosine decay to 0). Default: "
                    + "constant for the card's model, cosine for a transformer, the saved run's with --resume.")
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

    /**
     * What a run starts from.
     *
     * @param resumed the checkpoint of {@code --resume}, or null
     * @param data    the training, validation and held-out pairs
     * @param model   the model to train: new, from {@code --init}, or resumed
     */
    record Prepared(TrainingCheckpoint.Contents resumed, DataSources.TrainingData data, ClipModel model,
                    boolean fineTuning) {

        /** The batch size, learning rate, weight decay and schedule for what the flags leave out. */
        TrainingDefaults defaults() {
            return TrainingDefaults.of(model.config(), fineTuning,
                    resumed == null ? null : resumed.training().get("options"));
        }
    }

    /** Reads the data and the starting model; the same flags give the same model every call. */
    Prepared prepare(PrintWriter err) {
        return prepare(err, dev.clipengine.data.LoadProgress.NONE);
    }

    /** As {@link #prepare(PrintWriter)}, telling progress as images are decoded. */
    Prepared prepare(PrintWriter err, dev.clipengine.data.LoadProgress progress) {
        TrainingCheckpoint.Contents resumed = modelSource.resume == null ? null
                : TrainingCheckpoint.load(modelSource.resume);
        Path init = modelSource.init;
        ModelConfig requested = init == null && resumed == null ? ModelConfigs.resolve(modelSource.model, err) : null;
        ClipModel initial = resumed != null ? resumed.model() : init == null ? null : Checkpoints.load(init);
        ModelConfig shape = initial != null ? initial.config() : requested;
        DataSources.TrainingData trainingData = DataSources.load(data, shape, seed, valData, valSplit,
                progress);
        var dataset = trainingData.pairs();
        // with captions drawn per epoch, every caption that can be drawn, not only epoch 0's
        Vocabulary dataVocabulary = shape.vocabularyFor(Vocabulary.fromCaptions(dataset.trainCaptions() != null
                ? dataset.trainCaptions().captions().allCaptions()
                : dataset.train().stream().map(e -> e.caption()).toList()));
        boolean clipBpe = requested instanceof TransformerConfig t && TransformerConfig.CLIP_BPE.equals(t.tokenizer());
        ClipModel model = initial != null ? initial
                : wordVectors != null ? PretrainedWords.initialize(requested, wordVectors, vocabSize, seed)
                : clipBpe ? ClipModel.initialize(requested, null, seed)
                : ClipModel.initialize(requested.withVocabSize(dataVocabulary.size()), dataVocabulary, seed);
        if ((wordVectors != null || initial != null) && model.vocabulary() != null) {
            warnUnknownWords(dataVocabulary, model.vocabulary(), err);
        }
        return new Prepared(resumed, trainingData, model, resumed == null && init != null);
    }

    /**
     * The batch size of the run when it is known before anything is read: the one given, or a new
     * model's default; null when it comes with a file ({@code --init}, {@code --resume}), known
     * once that is read.
     */
    Integer batchSizeBeforeReading() {
        if (batchSize != null || modelSource.init != null || modelSource.resume != null) {
            return batchSize;
        }
        // notes on the config are printed once, when prepare reads it again
        ModelConfig config = ModelConfigs.resolve(modelSource.model, new PrintWriter(java.io.Writer.nullWriter()));
        return TrainingDefaults.of(config, false, null).batchSize();
    }

    /** The file the model starts from ({@code --init} or {@code --resume}), or null for a new one. */
    Path startingFile() {
        return modelSource.init != null ? modelSource.init : modelSource.resume;
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

    private java.util.Set<dev.clipengine.training.FrozenPart> frozenParts() {
        var parts = java.util.EnumSet.noneOf(dev.clipengine.training.FrozenPart.class);
        if (freezeWordVectors) {
            parts.add(dev.clipengine.training.FrozenPart.WORD_VECTORS);
        }
        if (lockImage) {
            parts.add(dev.clipengine.training.FrozenPart.IMAGE_TOWER);
        }
        if (lockText) {
            parts.add(dev.clipengine.training.FrozenPart.TEXT_TOWER);
        }
        return parts;
    }

    /**
     * Checks every flag given, each in its range, before anything is read. The learning rate,
     * weight decay and schedule left out depend on the model, known once it is read:
     * {@link #trainingOptions(TrainingDefaults)} fills them in.
     */
    void check(CommandSpec spec) {
        if (length.steps != null && length.steps < 1) {
            throw new BadInputException("--steps must be at least 1, got " + length.steps);
        }
        if (length.epochs != null && length.epochs < 1) {
            throw new BadInputException("--epochs must be at least 1, got " + length.epochs);
        }
        // the logits of a batch are batch^2 floats in one array
        // a contrastive loss needs at least two pairs to contrast
        if (batchSize != null) {
            Options.range("--batch-size", batchSize, 2, 32768);
        }
        if (lr != null) {
            Options.positive("--lr", lr);
        }
        Options.range("--momentum", momentum, 0, 1);
        if (weightDecay != null) {
            Options.range("--weight-decay", weightDecay, 0, 1e6);
        }
        Options.range("--clip-grad", clipGrad, 0, 1e12);
        Options.range("--skip-nonfinite", skipNonFinite, 0, Integer.MAX_VALUE);
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
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) {
            throw new BadInputException("--optimizer must be sgd or adamw, got '" + optimizer + "'");
        }
        if (optimizer.equals("adamw") && momentum != 0) {
            throw new BadInputException("--momentum is for sgd; adamw has --beta1 and --beta2");
        }
        if (schedule != null && !schedule.equals("constant") && !schedule.equals("cosine")) {
            throw new BadInputException("--schedule must be constant or cosine, got '" + schedule + "'");
        }
        if (wordVectors != null && (modelSource.init != null || modelSource.resume != null)) {
            throw new BadInputException("--word-vectors starts a new model; it cannot go with --init or --resume");
        }
        if (lockImage && lockText) {
            throw new BadInputException("--lock-image and --lock-text together leave nothing but the logit scale to "
                    + "train; lock one tower at most");
        }
        if (vocabSize != 0 && wordVectors == null) {
            throw new BadInputException("--vocab-size goes with --word-vectors");
        }
        Options.range("--vocab-size", vocabSize, 0, ModelConfig.MAX_DIM);
    }

    /** The run's options: the flags given (see {@link #check}) and, for those left out, the defaults. */
    TrainingOptions trainingOptions(TrainingDefaults defaults) {
        String schedule = this.schedule != null ? this.schedule : defaults.schedule();
        if (schedule.equals("constant") && warmup != null) {
            throw new BadInputException("--warmup is for --schedule cosine" + (this.schedule == null
                    ? " (the schedule of " + defaults.source() + " is constant)" : ""));
        }
        double lr = this.lr != null ? this.lr : defaults.lr();
        double weightDecay = this.weightDecay != null ? this.weightDecay : defaults.weightDecay();
        long steps = length.steps == null ? 0 : length.steps;
        int epochs = length.steps == null && length.epochs == null ? DEFAULT_EPOCHS
                : length.epochs == null ? 0 : length.epochs;
        int batchSize = this.batchSize != null ? this.batchSize : defaults.batchSize();
        return new TrainingOptions(steps, epochs, batchSize, lr, optimizer, (float) momentum, (float) weightDecay,
                beta1, beta2, (float) eps, seed, !noShuffle, schedule, warmup == null ? -1 : warmup, clipGrad,
                skipNonFinite, frozenParts());
    }
}
