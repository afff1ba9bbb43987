package dev.clipengine.bench.operators;

import dev.clipengine.kernels.Activation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/** The MLP's activation and its backward over c_fc's output, {@code rows x 4 width}. */
public class ActivationBenchmark extends TransformerOperatorBenchmark {

    @Param({"QUICK_GELU", "GELU"})
    public Activation kind;

    private float[] x;
    private float[] y;
    private float[] dy;

    @Override
    void prepare() {
        int n = ROWS * MODEL.vision().mlpWidth();
        x = randomFloats(n);
        for (int i = 0; i < n; i++) {
            x[i] *= 4f;
        }
        y = new float[n];
        dy = randomFloats(n);
    }

    @Benchmark
    public float[] forward() {
        kernels.activation(kind, x.length, x, y);
        return y;
    }

    @Benchmark
    public float[] backward() {
        kernels.activationBackward(kind, x.length, x, dy, y);
        return y;
    }
}
