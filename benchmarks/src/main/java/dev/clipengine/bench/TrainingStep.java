package dev.clipengine.bench;

import dev.clipengine.model.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.Example;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;
import dev.clipengine.training.AdamW;
import dev.clipengine.training.Optimizer;
import dev.clipengine.training.TrainedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * One training step of a new model on one synthetic batch, as the trainer takes it: forward,
 * backward, an AdamW update at the command line's defaults, the scale clamp. The batch (random
 * pixels, captions of exactly {@code max_tokens} random words of a {@value BenchmarkModels#VOCABULARY_SIZE}-word
 * vocabulary) goes through the real data path once, when the step is planned.
 *
 * <p>Unlike the trainer, it does not check the gradients for non-finite values before the update
 * (a pass over every gradient, which the engine keeps private).
 */
public final class TrainingStep {

    /** The command line's default learning rate; AdamW's cost does not depend on it. */
    private static final float LEARNING_RATE = 0.002f;
    /** The command line's default: no weight decay. The update costs the same with it. */
    private static final float WEIGHT_DECAY = 0f;

    private final ClipModel model;
    private final ClipGraph graph;
    private final Optimizer optimizer;
    private final Batch batch;
    /** The model's and the optimizer's tensors, and the weights the model started with: see {@link #restart()}. */
    private final List<Tensor> weights;
    private final List<Tensor> moments;
    private final List<float[]> initialWeights = new ArrayList<>();

    public TrainingStep(ModelConfig shape, Backend backend, int batchSize, long seed) {
        // a transformer's word tokenizer adds <start> and <end> to the words
        Vocabulary vocabulary = shape.vocabularyFor(syntheticVocabulary(shape.vocabSize()));
        ModelConfig config = shape.withVocabSize(vocabulary.size());
        model = ClipModel.initialize(config, vocabulary, seed);
        graph = ClipGraph.create(model, backend, batchSize);
        optimizer = new AdamW(backend, trainedTensors(model, graph), AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2,
                AdamW.DEFAULT_EPS, WEIGHT_DECAY);
        batch = new Batch(config, batchSize);
        EncodedPairs pairs = new EncodedPairs(config, vocabulary, syntheticPairs(config, vocabulary, batchSize, seed),
                "synthetic pairs");
        int[] inOrder = new int[batchSize];
        Arrays.setAll(inOrder, i -> i);
        pairs.fill(batch, inOrder, 0, batchSize);
        weights = model.tensors();
        moments = optimizer.state();
        for (Tensor t : weights) {
            initialWeights.add(t.data().clone());
        }
    }

    /**
     * The products of one step, in call order with repeats, read from a real step of a new
     * model on the reference backend.
     */
    public static List<GemmShape> products(ModelConfig config, int batchSize) {
        try (RecordingBackend recorder = new RecordingBackend(new ScalarBackend())) {
            new TrainingStep(config, recorder, batchSize, 0).run();
            return recorder.products();
        }
    }

    /** One forward, backward and update; returns the loss before the update. */
    public double run() {
        double loss = graph.forward(batch);
        graph.backward();
        optimizer.step(LEARNING_RATE);
        model.clampLogitScale();
        return loss;
    }

    /** Both towers' embeddings of the batch, without gradients, as search and zero-shot use a model. */
    public void encode() {
        graph.encodeImages(batch);
        graph.encodeTexts(batch);
    }

    /**
     * What a tool times again and again: encoding the batch, or a training step followed by
     * {@link #restart()}, so that every step starts from the same weights.
     */
    public Runnable task(boolean encode) {
        return encode ? this::encode : () -> {
            run();
            restart();
        };
    }

    /**
     * Puts the weights back to where they started and clears the optimizer's moments, so that a
     * long benchmark keeps timing early training: on one batch, the benchmark model's loss falls
     * to 0 within about 2000 steps, and a model that knows its batch by heart has ever smaller
     * gradients, which could reach the processor's slow path for subnormal floats. Allocates
     * nothing.
     */
    public void restart() {
        for (int i = 0; i < weights.size(); i++) {
            float[] initial = initialWeights.get(i);
            System.arraycopy(initial, 0, weights.get(i).data(), 0, initial.length);
        }
        // indexed loops: an iterator would be an allocation until the JIT removes it
        for (int i = 0; i < moments.size(); i++) {
            Arrays.fill(moments.get(i).data(), 0f);
        }
    }

    /** What the trainer updates: every tensor but a logit scale the config keeps fixed. */
    private static List<TrainedTensor> trainedTensors(ClipModel model, ClipGraph graph) {
        List<TrainedTensor> trained = new ArrayList<>();
        for (Tensor parameter : model.tensors()) {
            boolean fixedScale = parameter.name().equals(ClipModel.LOGIT_SCALE) && !model.config().learnableScale();
            if (!fixedScale) {
                trained.add(new TrainedTensor(parameter, graph.gradients().get(parameter.name())));
            }
        }
        return trained;
    }

    /** {@code <unk>} and the words {@code w1, w2, ...}. */
    private static Vocabulary syntheticVocabulary(int size) {
        List<String> words = new ArrayList<>(size);
        words.add(Vocabulary.UNKNOWN);
        for (int i = 1; i < size; i++) {
            words.add("w" + i);
        }
        return new Vocabulary(words);
    }

    private static List<Example> syntheticPairs(ModelConfig config, Vocabulary vocabulary, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int pixels = config.channels() * config.imageSize() * config.imageSize();
        List<Example> pairs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] image = new byte[pixels];
            random.nextBytes(image);
            StringJoiner caption = new StringJoiner(" ");
            for (int t = 0; t < config.maxTokens(); t++) {
                caption.add(vocabulary.word(random.nextInt(1, vocabulary.size())));
            }
            pairs.add(new Example(image, config.channels(), config.imageSize(), caption.toString(), -1));
        }
        return pairs;
    }
}
