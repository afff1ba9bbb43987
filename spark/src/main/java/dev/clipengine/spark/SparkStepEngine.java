package dev.clipengine.spark;

import dev.clipengine.model.Batch;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.training.DistributedTraining;
import dev.clipengine.training.FlatTensors;
import dev.clipengine.training.FrozenPart;
import dev.clipengine.training.GlobalBatchShares;
import dev.clipengine.training.GlobalHead;
import dev.clipengine.training.StepEngine;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * A trainer's steps computed on Spark, data-parallel over the whole global batch. Each step:
 * <ol>
 *   <li>the driver broadcasts the weights (a new version);</li>
 *   <li>each partition's task encodes its share of the global batch (the pairs the one-process
 *       order puts there; the executors read the pairs themselves) and sends back its embeddings;</li>
 *   <li>the driver runs the contrastive head once over all of them: the loss, and every row's
 *       embedding gradients, which need every column's softmax and the reverse;</li>
 *   <li>each partition's task back-propagates its rows' embedding gradients through its towers;
 *       the partitions' parameter gradients are summed in partition order by {@code
 *       treeAggregate};</li>
 *   <li>the trainer (on the driver) clips, updates and clamps, as in one process.</li>
 * </ol>
 * The same loss and gradients as one process, but for the order of the sums over partitions.
 */
final class SparkStepEngine implements StepEngine {

    private final JavaSparkContext spark;
    private final ClipModel model;
    private final List<Tensor> gradients;
    private final Tensor logitScaleGradient;
    private final GlobalBatchShares shares;
    private final GlobalHead head;
    private final Broadcast<RunBlueprint> blueprint;
    private final TaskHook hook;
    private final StepTimes times = new StepTimes();
    private Broadcast<float[]> weights;
    private long version;
    private final ShareTasks.Encode[] encodes;

    SparkStepEngine(JavaSparkContext spark, DistributedTraining training, TaskHook hook) {
        this.spark = spark;
        this.model = training.graph().model();
        this.gradients = training.graph().gradients().tensors();
        this.logitScaleGradient = training.graph().gradients().get(ClipModel.LOGIT_SCALE);
        this.shares = new GlobalBatchShares(training.options().batchSize(), training.partitions());
        this.head = new GlobalHead(model, training.graph().backend(), shares);
        this.hook = hook;
        this.encodes = new ShareTasks.Encode[training.partitions()];
        this.blueprint = spark.broadcast(RunBlueprint.of(UUID.randomUUID().toString(), model, training.pairs(),
                training.trainPairs(), shares, training.backend(),
                training.options().frozen().contains(FrozenPart.IMAGE_TOWER),
                training.options().frozen().contains(FrozenPart.TEXT_TOWER)));
    }

    @Override
    public boolean needsBatches() {
        return false;
    }

    @Override
    public double forward(Batch batch, long epoch, int[] order, int from, int count) {
        if (count != shares.count()) {
            throw new IllegalArgumentException("a batch of " + count + " pairs; this engine cuts batches of "
                    + shares.count());
        }
        long start = System.nanoTime();
        if (weights != null) {
            weights.destroy();
        }
        version++;
        weights = spark.broadcast(FlatTensors.of(model.tensors()));
        long broadcast = System.nanoTime();
        List<ShareTasks.Encode> tasks = new ArrayList<>();
        for (int p = 0; p < encodes.length; p++) {
            encodes[p] = new ShareTasks.Encode(p, version, epoch,
                    Arrays.copyOfRange(order, from + shares.start(p), from + shares.start(p + 1)));
            tasks.add(encodes[p]);
        }
        Broadcast<RunBlueprint> run = blueprint;
        Broadcast<float[]> stepWeights = weights;
        TaskHook taskHook = hook;
        List<ShareTasks.Encoded> encoded = spark.parallelize(tasks, tasks.size())
                .map(task -> ExecutorShares.encode(run, stepWeights, task, taskHook))
                .collect();
        long gathered = System.nanoTime();
        long slowest = 0;
        for (ShareTasks.Encoded share : encoded) {
            head.put(share.partition(), share.embeddings());
            slowest = Math.max(slowest, share.nanos());
        }
        double loss = head.forward();
        times.forward(broadcast - start, gathered - broadcast, slowest, System.nanoTime() - gathered);
        return loss;
    }

    @Override
    public void backward() {
        long start = System.nanoTime();
        float dLogScale = head.backward();
        List<ShareTasks.Backward> tasks = new ArrayList<>();
        for (int p = 0; p < encodes.length; p++) {
            tasks.add(new ShareTasks.Backward(encodes[p], head.dImages(p), head.dTexts(p)));
        }
        long headDone = System.nanoTime();
        Broadcast<RunBlueprint> run = blueprint;
        Broadcast<float[]> stepWeights = weights;
        TaskHook taskHook = hook;
        int partitions = encodes.length;
        OrderedGradientSum sum = spark.parallelize(tasks, tasks.size())
                .map(task -> ExecutorShares.backward(run, stepWeights, task, taskHook))
                .treeAggregate(new OrderedGradientSum(partitions), OrderedGradientSum::add, OrderedGradientSum::merge,
                        1);
        long aggregated = System.nanoTime();
        FlatTensors.copyFrom(sum.total(), gradients);
        logitScaleGradient.data()[0] = dLogScale;
        times.backward(headDone - start, aggregated - headDone, sum.slowestNanos());
    }

    @Override
    public String timeReport() {
        return times.describe(encodes.length);
    }

    @Override
    public void close() {
        if (weights != null) {
            weights.destroy();
        }
        ExecutorShares.forget(blueprint.value().run());
        blueprint.destroy();
    }
}
