package dev.clipengine.training;

import dev.clipengine.model.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.PixelNormalization;
import dev.clipengine.model.TransformerConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Measures what a warm training step allocates, for any backend: on the training thread and on
 * the threads of the backend's worker pool. The model is {@link TrainingRuns#SPLIT_CONFIG}, whose
 * products and updates are large enough to be shared with the pool's threads.
 */
public final class WarmStepAllocation {

    /** The name every compute pool's threads start with. */
    private static final String POOL_THREAD_PREFIX = "clip-engine-";
    /** Small, to keep 3000 steps short, yet the patch encoder's products (32 x 701 x 192) are still split. */
    private static final int BATCH = 8;

    private WarmStepAllocation() {
    }

    /**
     * What the last steps of 3000 allocated, the least of the last 20.
     *
     * @param callerBytes  bytes allocated by the training thread
     * @param workerBytes  bytes allocated by the backend's pool threads, together
     * @param workers      how many pool threads were measured
     */
    public record Allocation(long callerBytes, long workerBytes, int workers) {
    }

    /** A transformer small enough for 3000 steps whose attention, LayerNorm and activations are shared with the pool. */
    public static final ModelConfig TRANSFORMER = new TransformerConfig(16, true,
            new TransformerConfig.Vision(16, 4, 64, 1, 32, 4.0), new TransformerConfig.Text(12, 1, 64, 2, 1, 4.0),
            TransformerConfig.WORDS, PixelNormalization.OPENAI);

    /**
     * Runs 3000 steps (forward, backward, update) of {@link TrainingRuns#SPLIT_CONFIG} on 2 threads and
     * measures the last 20.
     */
    public static Allocation lastStep(String backendName, String optimizerName) {
        return lastStep(TrainingRuns.SPLIT_CONFIG, backendName, optimizerName);
    }

    /** Runs 3000 steps of a model of this config on 2 threads and measures the last. */
    public static Allocation lastStep(ModelConfig config, String backendName, String optimizerName) {
        PairDataset data = ShapesDataset.generate(config.imageSize(), config.channels(), 1, 64, 0);
        Vocabulary vocabulary = config.vocabularyFor(
                Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList()));
        ClipModel model = ClipModel.initialize(config.withVocabSize(vocabulary.size()), vocabulary, 1);
        Set<Long> earlier = poolThreadIds();
        try (Backend backend = Backends.create(backendName, 2)) {
            Set<Long> pool = poolThreadIds();
            pool.removeAll(earlier);
            long[] workers = pool.stream().mapToLong(Long::longValue).toArray();
            ClipGraph graph = ClipGraph.create(model, backend, BATCH);
            List<TrainedTensor> trained = new ArrayList<>();
            for (Tensor t : model.tensors()) {
                trained.add(new TrainedTensor(t, graph.gradients().get(t.name())));
            }
            Optimizer optimizer = optimizerName.equals("adamw")
                    ? new AdamW(backend, trained, 0.9, 0.98, 1e-6f, 0.1f)
                    : new Sgd(backend, trained, 0.9f, 0.1f);
            Batch batch = new Batch(model.config(), BATCH);
            int[] order = new int[64];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            new EncodedPairs(model.config(), vocabulary, data.train(), "shapes").fill(batch, order, 0, BATCH);

            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            // the least any of the last 20 steps allocated: a step during which the JIT recompiles a kernel may
            // run it interpreted and allocate once, which is no steady state; an allocation every step is
            long caller = Long.MAX_VALUE;
            long pooled = Long.MAX_VALUE;
            for (int round = 0; round < 3000; round++) {
                // read one thread at a time: the array form would allocate its answer on this thread
                long poolBefore = allocated(threads, workers);
                long before = threads.getCurrentThreadAllocatedBytes();
                graph.forward(batch);
                graph.backward();
                optimizer.step(1e-3f);
                model.clampLogitScale();
                long callerBytes = threads.getCurrentThreadAllocatedBytes() - before;
                long poolBytes = allocated(threads, workers) - poolBefore;
                if (round >= 2980) {
                    caller = Math.min(caller, callerBytes);
                    pooled = Math.min(pooled, poolBytes);
                }
            }
            return new Allocation(caller, pooled, workers.length);
        }
    }

    private static Set<Long> poolThreadIds() {
        Set<Long> ids = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(POOL_THREAD_PREFIX)) {
                ids.add(thread.threadId());
            }
        }
        return ids;
    }

    private static long allocated(com.sun.management.ThreadMXBean threads, long[] ids) {
        long total = 0;
        for (long id : ids) {
            long b = threads.getThreadAllocatedBytes(id);
            if (b < 0) {
                throw new IllegalStateException("a pool thread's allocation cannot be measured");
            }
            total += b;
        }
        return total;
    }
}
