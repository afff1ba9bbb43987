package dev.clipengine.spark;

import dev.clipengine.BadInputException;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipModel;
import dev.clipengine.training.FlatTensors;
import dev.clipengine.training.ShareWorker;
import org.apache.spark.broadcast.Broadcast;

import java.util.HashMap;
import java.util.Map;

/**
 * What an executor JVM keeps between a run's tasks: the training pairs, read once, and for each
 * partition it has served a worker (model replica, graph, batch) with the weights version it holds
 * and the share it last encoded, so the backward task that follows an encode task finds the
 * activations in place. Anything missing (another executor ran the encode task, or a retry) is
 * rebuilt from the blueprint, the step's weights and the share's indices: slower, the same result.
 * One run at a time: a new run's first task drops the previous run's state.
 */
final class ExecutorShares {

    private static final Object LOCK = new Object();
    private static String run;
    private static RunBlueprint blueprint;
    private static EncodedPairs pairs;
    private static long pairsEpoch = -1;
    private static final Map<Integer, Partition> PARTITIONS = new HashMap<>();

    /** One partition's worker and what it holds. */
    private static final class Partition {
        final Backend backend;
        final ShareWorker worker;
        long weightsVersion = -1;
        /** The share whose activations the worker holds, or null (none, or already back-propagated). */
        ShareTasks.Encode encoded;

        Partition(RunBlueprint blueprint) {
            ClipModel replica = blueprint.newReplica();
            this.backend = Backends.create(blueprint.backend(), 1);
            this.worker = new ShareWorker(replica, backend, blueprint.shares().maxSize(), blueprint.imageFrozen(),
                    blueprint.textFrozen());
        }
    }

    private ExecutorShares() {
    }

    static ShareTasks.Encoded encode(Broadcast<RunBlueprint> blueprint, Broadcast<float[]> weights,
                                     ShareTasks.Encode task, TaskHook hook) {
        hook.beforeTask("encode", task.version(), task.partition());
        long start = System.nanoTime();
        Partition partition = partition(blueprint.value(), task.partition());
        ShareWorker.Embeddings embeddings = encodeShare(partition, weights, task);
        return new ShareTasks.Encoded(task.partition(), embeddings, System.nanoTime() - start);
    }

    static ShareTasks.Gradient backward(Broadcast<RunBlueprint> blueprint, Broadcast<float[]> weights,
                                        ShareTasks.Backward task, TaskHook hook) {
        hook.beforeTask("backward", task.encode().version(), task.encode().partition());
        long start = System.nanoTime();
        Partition partition = partition(blueprint.value(), task.encode().partition());
        if (!sameShare(task.encode(), partition.encoded)) {
            encodeShare(partition, weights, task.encode());
        }
        // a retried backward re-encodes rather than trust activations a failed attempt went through
        partition.encoded = null;
        float[] gradient = partition.worker.backward(task.dImages(), task.dTexts());
        return new ShareTasks.Gradient(task.encode().partition(), gradient, System.nanoTime() - start);
    }

    /** Whether a held share is the one a task names (tasks arrive deserialized: compare contents). */
    private static boolean sameShare(ShareTasks.Encode task, ShareTasks.Encode held) {
        return held != null && held.partition() == task.partition() && held.version() == task.version()
                && held.epoch() == task.epoch() && java.util.Arrays.equals(held.indices(), task.indices());
    }

    private static ShareWorker.Embeddings encodeShare(Partition partition, Broadcast<float[]> weights,
                                                      ShareTasks.Encode task) {
        partition.encoded = null;
        if (partition.weightsVersion != task.version()) {
            FlatTensors.copyFrom(weights.value(), partition.worker.model().tensors());
            partition.weightsVersion = task.version();
        }
        synchronized (LOCK) {
            // per-epoch captions are drawn into the shared pairs: fill while holding them
            if (pairsEpoch != task.epoch()) {
                pairs.startEpoch(task.epoch());
                pairsEpoch = task.epoch();
            }
            partition.worker.fill(pairs, task.indices());
        }
        ShareWorker.Embeddings embeddings = partition.worker.encode();
        partition.encoded = task;
        return embeddings;
    }

    /** The partition's worker for this run, the run's state set up first if this is its first task here. */
    private static Partition partition(RunBlueprint runBlueprint, int index) {
        synchronized (LOCK) {
            if (!runBlueprint.run().equals(run)) {
                release();
                blueprint = runBlueprint;
                pairs = loadPairs(runBlueprint);
                pairsEpoch = -1;
                run = runBlueprint.run();
            }
            return PARTITIONS.computeIfAbsent(index, i -> new Partition(blueprint));
        }
    }

    private static EncodedPairs loadPairs(RunBlueprint blueprint) {
        EncodedPairs loaded = blueprint.pairs().load(blueprint.newReplica());
        if (loaded.size() != blueprint.trainPairs()) {
            throw new BadInputException("an executor read " + loaded.size() + " training pairs where the driver has "
                    + blueprint.trainPairs() + ": the data must be the same files on every machine");
        }
        return loaded;
    }

    /** Drops the run's state on this JVM (on the driver in local mode; an executor's goes with the next run). */
    static void forget(String finishedRun) {
        synchronized (LOCK) {
            if (finishedRun.equals(run)) {
                release();
            }
        }
    }

    private static void release() {
        PARTITIONS.values().forEach(p -> p.backend.close());
        PARTITIONS.clear();
        pairs = null;
        blueprint = null;
        run = null;
    }
}
