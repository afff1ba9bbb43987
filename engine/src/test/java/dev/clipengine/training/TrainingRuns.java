package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.io.ModelFile;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;

import java.nio.file.Path;

/** A short, fixed training run used by the tests, runnable in this JVM or as a fresh one. */
final class TrainingRuns {

    /** Small enough for a test, big enough that every kernel takes its vector paths and tails. */
    static final ModelConfig CONFIG = new MlpConfig(16, 4, 3, 1, 19, 37, 45, 21, 8, true, true);

    /**
     * Large enough that on 2 threads the vector backend splits work between them: 4 patches of
     * 8x8x3 = 192 values into an image hidden layer of 701, so the patch encoder's products
     * (128 x 701 x 192 at batch 32) and its weight's optimizer update (134,592 elements) are above
     * the thresholds for a split.
     */
    static final ModelConfig SPLIT_CONFIG = new MlpConfig(16, 8, 3, 1, 19, 37, 701, 21, 8, true, true);

    /** 256 pairs in batches of 32: an epoch is 8 steps. */
    static final int BATCH = 32;

    private TrainingRuns() {
    }

    record Run(ClipModel model, double[] losses) {
    }

    static Run train(String backendName, int threads, String optimizer, long steps) {
        try (Backend backend = Backends.create(backendName, threads)) {
            return train(backend, CONFIG, optimizer, steps);
        }
    }

    /** The same run on a backend the caller made (and closes), for a model of that config. */
    static Run train(Backend backend, ModelConfig config, String optimizer, long steps) {
        Trainer trainer = trainer(backend, config, optimizer, steps);
        double[] losses = trainer.run(report -> { });
        return new Run(trainer.model(), losses);
    }

    /** A new model and its trainer on the fixed data; the same every call. */
    static Trainer trainer(Backend backend, String optimizer, long steps) {
        return trainer(backend, CONFIG, optimizer, steps);
    }

    private static Trainer trainer(Backend backend, ModelConfig config, String optimizer, long steps) {
        PairDataset data = ShapesDataset.generate(config.imageSize(), config.channels(), 3, 256, 0);
        Vocabulary vocabulary = Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList());
        ClipModel model = ClipModel.initialize(config.withVocabSize(vocabulary.size()), vocabulary, 11);
        TrainingOptions options = new TrainingOptions(steps, 0, BATCH, optimizer.equals("sgd") ? 0.01 : 2e-3,
                optimizer, optimizer.equals("sgd") ? 0.9f : 0f, 0.1f, AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2,
                AdamW.DEFAULT_EPS, 5, true, "cosine", 5, 0, 0, java.util.Set.of());
        EncodedPairs pairs = new EncodedPairs(model.config(), vocabulary, data.train(), "shapes");
        return new Trainer(ClipGraph.create(model, backend, BATCH), pairs, options);
    }

    /** Trains as {@link #train} would and saves the model: {@code backend threads optimizer steps out-file}. */
    public static void main(String[] args) throws Exception {
        Run run = train(args[0], Integer.parseInt(args[1]), args[2], Long.parseLong(args[3]));
        ModelFile.save(run.model(), Path.of(args[4]));
    }
}
