package dev.clipengine.training;

import dev.clipengine.model.Batch;
import dev.clipengine.model.ClipGraph;

/** Each step's forward and backward on the trainer's own graph, in this process. */
public final class InProcessEngine implements StepEngine {

    private final ClipGraph graph;

    public InProcessEngine(ClipGraph graph) {
        this.graph = graph;
    }

    @Override
    public boolean needsBatches() {
        return true;
    }

    @Override
    public double forward(Batch batch, long epoch, int[] order, int from, int count) {
        return graph.forward(batch);
    }

    @Override
    public void backward() {
        graph.backward();
    }
}
