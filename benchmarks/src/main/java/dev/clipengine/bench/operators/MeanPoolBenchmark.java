package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/** {@code meanPool} and {@code meanPoolBackward}: each item's hidden rows (its patches, or its tokens) to one row. */
public class MeanPoolBenchmark extends OperatorBenchmark {

    @Param({"image", "text"})
    public String tower;

    private HiddenLayer layer;
    private int[] itemStart;
    private float[] rows;
    private float[] pooled;

    @Override
    void prepare() {
        layer = HiddenLayer.named(tower);
        itemStart = layer.itemStart();
        rows = randomFloats(layer.elements());
        pooled = randomFloats(layer.items() * layer.hidden());
    }

    @Benchmark
    public float[] meanPool() {
        kernels.meanPool(layer.items(), itemStart, layer.hidden(), rows, pooled);
        return pooled;
    }

    /** From pooled gradients back to every row: the forward's output and input swap roles. */
    @Benchmark
    public float[] meanPoolBackward() {
        kernels.meanPoolBackward(layer.items(), itemStart, layer.hidden(), pooled, rows);
        return rows;
    }
}
