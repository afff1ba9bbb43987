package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;

/** {@code softmaxRows} and {@code softmaxColumns} of the logits, batch x batch, as the contrastive loss takes them. */
public class SoftmaxBenchmark extends OperatorBenchmark {

    /** The largest logit scale the engine allows: logits of unit vectors then span [-100, 100]. */
    private static final float MAX_SCALE = 100f;

    private float[] logits;
    private float[] probabilities;
    private float[] logSumExp;

    @Override
    void prepare() {
        logits = randomFloats(BATCH * BATCH);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= MAX_SCALE;
        }
        probabilities = new float[logits.length];
        logSumExp = new float[BATCH];
    }

    @Benchmark
    public float[] softmaxRows() {
        kernels.softmaxRows(BATCH, BATCH, logits, probabilities, logSumExp);
        return probabilities;
    }

    @Benchmark
    public float[] softmaxColumns() {
        kernels.softmaxColumns(BATCH, BATCH, logits, probabilities, logSumExp);
        return probabilities;
    }
}
