package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;

/** {@code l2Normalize} and {@code l2NormalizeBackward} of one side's embeddings, batch x embed_dim. */
public class L2NormalizeBenchmark extends OperatorBenchmark {

    private int dim;
    private float[] x;
    private float[] y;
    private float[] norms;
    private float[] dy;
    private float[] dx;

    @Override
    void prepare() {
        dim = MODEL.embedDim();
        x = randomFloats(BATCH * dim);
        y = new float[x.length];
        norms = new float[BATCH];
        dy = randomFloats(x.length);
        dx = new float[x.length];
        // the backward pass needs the forward's output and norms
        kernels.l2Normalize(BATCH, dim, x, y, norms);
    }

    @Benchmark
    public float[] l2Normalize() {
        kernels.l2Normalize(BATCH, dim, x, y, norms);
        return y;
    }

    @Benchmark
    public float[] l2NormalizeBackward() {
        kernels.l2NormalizeBackward(BATCH, dim, y, norms, dy, dx);
        return dx;
    }
}
