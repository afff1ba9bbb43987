package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;

/** {@code layerNorm} and its backward over the image tower's stream, as each block's ln_1 and ln_2 take it. */
public class LayerNormBenchmark extends TransformerOperatorBenchmark {

    private float[] x;
    private float[] gamma;
    private float[] beta;
    private float[] y;
    private float[] mean;
    private float[] rstd;
    private float[] dy;
    private float[] dx;
    private float[] dGamma;
    private float[] dBeta;

    @Override
    void prepare() {
        x = randomFloats(ROWS * WIDTH);
        gamma = randomFloats(WIDTH);
        beta = randomFloats(WIDTH);
        y = new float[x.length];
        mean = new float[ROWS];
        rstd = new float[ROWS];
        dy = randomFloats(x.length);
        dx = new float[x.length];
        dGamma = new float[WIDTH];
        dBeta = new float[WIDTH];
        kernels.layerNorm(ROWS, WIDTH, x, gamma, beta, y, mean, rstd);
    }

    @Benchmark
    public float[] forward() {
        kernels.layerNorm(ROWS, WIDTH, x, gamma, beta, y, mean, rstd);
        return y;
    }

    @Benchmark
    public float[] backward() {
        kernels.layerNormBackward(ROWS, WIDTH, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
        return dx;
    }
}
