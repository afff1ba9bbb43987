package dev.clipengine.training;

import dev.clipengine.BadInputException;
import dev.clipengine.Rng;
import dev.clipengine.model.Batch;
import dev.clipengine.data.BatchPrefetcher;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Gradients;
import dev.clipengine.model.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a model on image-caption pairs: epochs of shuffled (or file-order) full batches, one
 * forward, backward and optimizer update per step. The graph, batch and optimizer state are
 * planned once; a step allocates nothing.
 */
public final class Trainer {

    /** Salts of the random streams drawn from the seed, so each stays independent of the others. */
    private static final long DATA_ORDER_STREAM = 1;

    private final ClipModel model;
    private final ClipGraph graph;
    private final EncodedPairs pairs;
    private final TrainingOptions options;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    /** Two batches: one trains while the next is filled. */
    private final Batch[] batches;
    private final int[] order;
    private Rng dataOrder;
    /** The data order generator's state before the current epoch's shuffle: a checkpoint keeps it. */
    private long epochOrderState;
    /** The epoch whose order is in {@link #order} (the next one once its first batch is prefetched). */
    private long orderedEpoch = -1;
    /** Steps taken, by this run or the one it resumes. */
    private long stepsTaken;
    private int skippedSteps;
    private final long totalSteps;
    private final int batchesPerEpoch;
    private final long warmup;
    private final List<TrainedTensor> trained;
    private final StepEngine engine;

    /** Warmup steps of the cosine schedule when not given: 100, or a tenth of a shorter run. */
    public static final long DEFAULT_WARMUP = 100;

    public Trainer(ClipGraph graph, EncodedPairs pairs, TrainingOptions options) {
        this(graph, pairs, options, new InProcessEngine(graph));
    }

    /**
     * A trainer whose steps' losses and gradients the engine computes (into {@code graph}'s
     * gradients); the optimizer, the schedule, the data order and the checkpoints' progress are
     * this trainer's, whichever the engine.
     */
    public Trainer(ClipGraph graph, EncodedPairs pairs, TrainingOptions options, StepEngine engine) {
        this.engine = engine;
        this.model = graph.model();
        this.graph = graph;
        this.pairs = pairs;
        this.options = options;
        requireOneBatch("the training data", pairs.size(), options.batchSize());
        this.batchesPerEpoch = pairs.size() / options.batchSize();
        this.totalSteps = options.totalSteps(pairs.size());
        graph.freezeTowers(options.frozen().contains(FrozenPart.IMAGE_TOWER),
                options.frozen().contains(FrozenPart.TEXT_TOWER));
        this.trained = trainedTensors(graph, options.frozen());
        this.optimizer = createOptimizer(graph.backend(), trained, options);
        this.warmup = options.warmup() >= 0 ? options.warmup() : Math.min(DEFAULT_WARMUP, totalSteps / 10);
        this.schedule = "cosine".equals(options.schedule())
                ? LearningRateSchedule.cosine(options.learningRate(), warmup, totalSteps)
                : LearningRateSchedule.constant(options.learningRate());
        this.batches = new Batch[] {new Batch(model.config(), options.batchSize()),
                new Batch(model.config(), options.batchSize())};
        this.order = new int[pairs.size()];
        this.dataOrder = new Rng(options.seed()).fork(DATA_ORDER_STREAM);
    }

    /** Training takes full batches only, so it needs at least one (docs/formats.md). */
    public static void requireOneBatch(String source, int pairs, int batchSize) {
        if (pairs < batchSize) {
            throw new BadInputException(source + " has " + pairs + (pairs == 1 ? " pair" : " pairs")
                    + ", fewer than one batch of " + batchSize + " (lower --batch-size)");
        }
    }

    /** Every tensor the optimizer updates: all but a logit scale the config fixes and the frozen parts. */
    private static List<TrainedTensor> trainedTensors(ClipGraph graph, java.util.Set<FrozenPart> frozenParts) {
        ClipModel model = graph.model();
        Gradients gradients = graph.gradients();
        List<TrainedTensor> trained = new ArrayList<>();
        for (Tensor parameter : model.tensors()) {
            boolean fixedScale = parameter.name().equals(ClipModel.LOGIT_SCALE) && !model.config().learnableScale();
            boolean frozen = frozenParts.stream().anyMatch(part -> part.holds(parameter.name()));
            if (!fixedScale && !frozen) {
                trained.add(new TrainedTensor(parameter, gradients.get(parameter.name())));
            }
        }
        return List.copyOf(trained);
    }

    private static Optimizer createOptimizer(Backend backend, List<TrainedTensor> trained, TrainingOptions options) {
        return switch (options.optimizer()) {
            case "sgd" -> new Sgd(backend, trained, options.momentum(), options.weightDecay());
            case "adamw" -> new AdamW(backend, trained, options.beta1(), options.beta2(), options.eps(),
                    options.weightDecay());
            default -> throw new BadInputException("unknown optimizer '" + options.optimizer() + "' (sgd, adamw)");
        };
    }

    /** The graph the steps run on. */
    ClipGraph graph() {
        return graph;
    }

    /** The model being trained (updated in place). */
    public ClipModel model() {
        return model;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** Steps taken so far, counting those of a run this one resumes. */
    public long stepsTaken() {
        return stepsTaken;
    }

    /**
     * Where training stands, for a checkpoint: the steps taken, the epoch and position in it, and
     * the data order generator's state before this epoch's shuffle.
     */
    public Map<String, Object> progress() {
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("step", stepsTaken);
        progress.put("epoch", stepsTaken / batchesPerEpoch);
        progress.put("position_in_epoch", stepsTaken % batchesPerEpoch);
        // as a string: a JSON reader may hold numbers in doubles, which lose a long's low bits
        // at an epoch's start its shuffle may not have been drawn yet (or already, for a prefetch)
        progress.put("data_order_rng", Long.toString(orderedEpoch == stepsTaken / batchesPerEpoch ? epochOrderState
                : dataOrder.state()));
        return progress;
    }

    /**
     * Continues from a checkpoint's {@link #progress()}: the next {@link #run} takes step
     * {@code steps + 1} with the data order the uninterrupted run would have had.
     */
    public void resume(long steps, long dataOrderRngState) {
        if (steps < 0 || steps > totalSteps) {
            throw new BadInputException("the checkpoint is at step " + steps + " but this run has " + totalSteps
                    + " steps");
        }
        stepsTaken = steps;
        dataOrder = new Rng(dataOrderRngState);
        orderedEpoch = -1;
    }

    /** The cosine schedule's warmup steps in effect. */
    public long warmup() {
        return warmup;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Runs every step, telling the listener after each; returns the losses of every step. */
    public double[] run(TrainingListener listener) {
        return run(listener, new StopRequest());
    }

    /**
     * Runs every step, or stops after the step during which {@code stop} was requested; returns
     * the losses of the steps taken. Called again after a stop, it continues as if never stopped.
     */
    public double[] run(TrainingListener listener, StopRequest stop) {
        long first = stepsTaken;
        double[] losses = new double[Math.toIntExact(Math.max(0, totalSteps - first))];
        if (first >= totalSteps) {
            return losses;
        }
        try (BatchPrefetcher prefetcher = new BatchPrefetcher(pairs, order)) {
            // an engine that reads no batches here reads the order at the step: it is drawn just before
            boolean localBatches = engine.needsBatches();
            if (localBatches) {
                prefetch(prefetcher, first);
            }
            for (long step = first; step < totalSteps; step++) {
                if (localBatches) {
                    prefetcher.await();
                } else {
                    orderEpochOf(step);
                }
                Batch batch = batches[(int) (step & 1)];
                if (stop.requested()) {
                    return java.util.Arrays.copyOf(losses, (int) (step - first));
                }
                if (localBatches && step + 1 < totalSteps) {
                    prefetch(prefetcher, step + 1);
                }
                float lr = (float) schedule.rate(step);
                long start = System.nanoTime();
                double loss = step(batch, step, lr);
                double seconds = (System.nanoTime() - start) / 1e9;
                losses[(int) (step - first)] = loss;
                stepsTaken = step + 1;
                listener.step(new TrainingListener.StepReport(step + 1, totalSteps, step / batchesPerEpoch + 1, loss,
                        lr, StrictMath.exp(model.logitScale()), seconds, options.batchSize()));
            }
        }
        return losses;
    }

    /**
     * Starts filling the batch of {@code step} (steps alternate between the two batches), drawing
     * its epoch's order first unless it is in place: a new epoch draws it, and so does a resumed
     * run from the state saved before it, while a run continued after a stop keeps it.
     */
    private void prefetch(BatchPrefetcher prefetcher, long step) {
        orderEpochOf(step);
        int batchInEpoch = (int) (step % batchesPerEpoch);
        prefetcher.request(batches[(int) (step & 1)], batchInEpoch * options.batchSize(), options.batchSize());
    }

    /** Draws the order of {@code step}'s epoch unless it is in place. */
    private void orderEpochOf(long step) {
        if (orderedEpoch != step / batchesPerEpoch) {
            startEpoch(step / batchesPerEpoch);
        }
    }

    /** One forward, backward and update on the current batch; returns its loss. */
    private double step(Batch batch, long step, float lr) {
        double loss = engine.forward(batch, step / batchesPerEpoch, order,
                (int) (step % batchesPerEpoch) * options.batchSize(), options.batchSize());
        if (!Double.isFinite(loss)) {
            return skipOrStop(step, "the loss (" + loss + ")", loss);
        }
        engine.backward();
        double norm = GradientNorm.global(trained);
        if (!Double.isFinite(norm)) {
            return skipOrStop(step, "the gradient of " + GradientNorm.firstNonFinite(trained), loss);
        }
        if (options.clipGrad() > 0) {
            GradientNorm.clip(trained, norm, options.clipGrad());
        }
        optimizer.step(lr);
        model.clampLogitScale();
        return loss;
    }

    /**
     * A non-finite step is not applied: it consumes its batch and counts for the schedule and the
     * logs (docs/model.md), while weights and moments stay as they were; past the allowance,
     * training stops.
     */
    private double skipOrStop(long step, String what, double loss) {
        if (skippedSteps < options.skipNonFinite()) {
            skippedSteps++;
            return loss;
        }
        throw new NonFiniteException(step + 1, what);
    }

    /** Steps skipped for non-finite values so far in this run. */
    public int skippedSteps() {
        return skippedSteps;
    }

    private void startEpoch(long epoch) {
        pairs.startEpoch(epoch);
        orderedEpoch = epoch;
        epochOrderState = dataOrder.state();
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (options.shuffle()) {
            dataOrder.shuffle(order, order.length);
        }
    }
}
