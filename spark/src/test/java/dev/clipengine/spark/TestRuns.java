package dev.clipengine.spark;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Vocabulary;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.DistributedTraining;
import dev.clipengine.training.PairsSource;
import dev.clipengine.training.StepEngine;
import dev.clipengine.training.Trainer;
import dev.clipengine.training.TrainingOptions;
import org.apache.spark.SparkContext;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;

/** Short training runs of either family, in one process or on the tests' shared Spark context. */
final class TestRuns {

    /** The card's family: small, with hidden layers wide enough for the vector paths and tails. */
    static final ModelConfig MLP = new MlpConfig(16, 4, 3, 1, 19, 37, 45, 21, 8, true, true);

    /** A transformer with 2 layers each side: images of 16x16 in 4 patches, captions of 12 tokens. */
    static final ModelConfig TRANSFORMER = new TransformerConfig(16, true,
            new TransformerConfig.Vision(16, 8, 32, 2, 16, 2.0), new TransformerConfig.Text(12, 1, 32, 2, 2, 2.0),
            TransformerConfig.WORDS, PixelNormalization.OPENAI);

    /** 128 pairs in global batches of 32: an epoch is 4 steps, so 20 steps cross 4 epochs' orders. */
    static final int PAIRS = 128;
    static final int BATCH = 32;
    static final int PARTITIONS = 4;
    /** local[2] that retries a failed task up to 4 times: one context for every test of this JVM. */
    static final String MASTER = "local[2,4]";

    private TestRuns() {
    }

    record Run(ClipModel model, double[] losses, String times) {
    }

    /** The shared context (Spark allows one per JVM; starting one takes seconds). */
    static SparkContext spark() {
        return SparkContext.getOrCreate(SparkEngineProvider.conf(MASTER));
    }

    /** The built-in shapes, generated alike wherever they are loaded: the executors' pairs source. */
    record Shapes(int imageSize, int channels) implements PairsSource {
        @Override
        public EncodedPairs load(ClipModel model) {
            return new EncodedPairs(model.config(), model.vocabulary(), data(imageSize, channels).train(), "shapes");
        }
    }

    static PairDataset data(int imageSize, int channels) {
        return ShapesDataset.generate(imageSize, channels, 3, PAIRS, 0);
    }

    static TrainingOptions options(long steps) {
        return new TrainingOptions(steps, 0, BATCH, 2e-3, "adamw", 0f, 0.1f, AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2,
                AdamW.DEFAULT_EPS, 5, true, "cosine", 5, 1.0, 0, Set.of());
    }

    /** {@code steps} steps in this process. */
    static Run inProcess(ModelConfig family, long steps) {
        return train(family, steps, null);
    }

    /** The same steps on Spark, every task calling {@code hook} first. */
    static Run onSpark(ModelConfig family, long steps, TaskHook hook) {
        spark();
        return train(family, steps, hook);
    }

    private static Run train(ModelConfig family, long steps, TaskHook hook) {
        PairDataset data = data(family.imageSize(), family.channels());
        Vocabulary vocabulary = family.vocabularyFor(
                Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList()));
        ModelConfig config = family.withVocabSize(vocabulary.size());
        ClipModel model = ClipModel.initialize(config, vocabulary, 11);
        EncodedPairs pairs = new EncodedPairs(config, vocabulary, data.train(), "shapes");
        TrainingOptions options = options(steps);
        try (Backend backend = Backends.create("vector", 1)) {
            ClipGraph graph = ClipGraph.create(model, backend, BATCH);
            if (hook == null) {
                Trainer trainer = new Trainer(graph, pairs, options);
                return new Run(model, trainer.run(report -> { }), null);
            }
            DistributedTraining training = new DistributedTraining(MASTER, PARTITIONS, graph, options,
                    new Shapes(family.imageSize(), family.channels()), pairs.size(), "vector", new PrintWriter(new StringWriter()));
            try (StepEngine engine = SparkEngineProvider.create(training, hook)) {
                Trainer trainer = new Trainer(graph, pairs, options, engine);
                double[] losses = trainer.run(report -> { });
                return new Run(model, losses, engine.timeReport());
            }
        }
    }
}
