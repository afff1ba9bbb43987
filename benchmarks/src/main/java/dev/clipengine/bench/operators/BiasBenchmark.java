package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * {@code addBias} and {@code biasBackward} on a tower's hidden layer: every row of the encoder's
 * output, 4096 x 512 on the image side, 1536 x 512 on the text side. The projections' biases
 * (256 x 64) are far smaller and not measured apart.
 */
public class BiasBenchmark extends OperatorBenchmark {

    @Param({"image", "text"})
    public String tower;

    private HiddenLayer layer;
    private float[] x;
    private float[] bias;
    private float[] dBias;

    @Override
    void prepare() {
        layer = HiddenLayer.named(tower);
        x = randomFloats(layer.elements());
        bias = randomFloats(layer.hidden());
        dBias = new float[layer.hidden()];
    }

    /** In place: the values drift by the bias every call, which does not change the work. */
    @Benchmark
    public float[] addBias() {
        kernels.addBias(layer.rows(), layer.hidden(), x, bias);
        return x;
    }

    @Benchmark
    public float[] biasBackward() {
        kernels.biasBackward(layer.rows(), layer.hidden(), x, dBias);
        return dBias;
    }
}
