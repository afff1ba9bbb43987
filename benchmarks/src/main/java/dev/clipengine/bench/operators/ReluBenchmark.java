package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * {@code relu} and {@code reluBackward} on a tower's hidden layer. Both work in place; after the
 * first call the values no longer change, and neither kernel branches on them, so every call does
 * the same work.
 */
public class ReluBenchmark extends OperatorBenchmark {

    @Param({"image", "text"})
    public String tower;

    private int elements;
    private float[] x;
    private float[] y;
    private float[] dy;

    @Override
    void prepare() {
        elements = HiddenLayer.named(tower).elements();
        x = randomFloats(elements);
        y = randomFloats(elements);
        dy = randomFloats(elements);
    }

    @Benchmark
    public float[] relu() {
        kernels.relu(elements, x);
        return x;
    }

    @Benchmark
    public float[] reluBackward() {
        kernels.reluBackward(elements, y, dy);
        return dy;
    }
}
