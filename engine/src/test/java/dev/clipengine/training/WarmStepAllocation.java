package dev.clipengine.training;

import dev.clipengine.data.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** Measures what a warm training step allocates on the training thread, for any backend. */
public final class WarmStepAllocation {

    private WarmStepAllocation() {
    }

    /** Bytes the last of 3000 steps (forward, backward, update) allocated on the calling thread. */
    public static long lastStepBytes(String backendName, String optimizerName) {
        PairDataset data = ShapesDataset.generate(TrainingRuns.CONFIG.imageSize(), TrainingRuns.CONFIG.channels(), 1, 64,
                0);
        Vocabulary vocabulary = Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList());
        ClipModel model = ClipModel.initialize(TrainingRuns.CONFIG.withVocabSize(vocabulary.size()), vocabulary, 1);
        try (Backend backend = Backends.create(backendName, 2)) {
            ClipGraph graph = ClipGraph.create(model, backend, 32);
            List<TrainedTensor> trained = new ArrayList<>();
            for (Tensor t : model.tensors()) {
                trained.add(new TrainedTensor(t, graph.gradients().get(t.name())));
            }
            Optimizer optimizer = optimizerName.equals("adamw")
                    ? new AdamW(backend, trained, 0.9, 0.98, 1e-6f, 0.1f)
                    : new Sgd(backend, trained, 0.9f, 0.1f);
            Batch batch = new Batch(model.config(), 32);
            int[] order = new int[64];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            batch.fill(new EncodedPairs(model.config(), vocabulary, data.train(), "shapes"), order, 0, 32);

            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long allocated = 0;
            for (int round = 0; round < 3000; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                graph.forward(batch);
                graph.backward();
                optimizer.step(1e-3f);
                model.clampLogitScale();
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            return allocated;
        }
    }
}
