package dev.clipengine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer updates, split into contiguous ranges over the pool when long enough. The
 * formulas are ScalarBackend's with the same operations in the same order (no FMA), so each
 * element's result is exactly the reference's whichever thread computes it.
 */
final class VectorOptimizer implements WorkerPool.Task {

    private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
    private static final int LANES = SPECIES.length();

    private final WorkerPool pool;
    private final int threads;

    VectorOptimizer(WorkerPool pool, int threads) {
        this.pool = pool;
        this.threads = threads;
    }

    private boolean adamw;
    private int n;
    private int parts;
    private float[] w;
    private float[] g;
    private float[] first;
    private float[] second;
    private float lr;
    private float momentum;
    private float weightDecay;
    private float beta1;
    private float beta2;
    private float eps;
    private float biasCorrection1;
    private float biasCorrection2;

    void runSgd(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                float weightDecay) {
        this.adamw = false;
        this.first = momentumBuffer;
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        start(n, w, g);
    }

    void runAdamw(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                  float eps, float weightDecay, float biasCorrection1, float biasCorrection2) {
        this.adamw = true;
        this.first = m;
        this.second = v;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.biasCorrection1 = biasCorrection1;
        this.biasCorrection2 = biasCorrection2;
        start(n, w, g);
    }

    private void start(int n, float[] w, float[] g) {
        this.n = n;
        this.w = w;
        this.g = g;
        this.parts = Math.max(1, Math.min(threads, n / VectorBackend.PARALLEL_MIN_ELEMENTS));
        try {
            pool.run(this, parts);
        } finally {
            // drop the caller's arrays so the backend does not keep them alive
            this.w = null;
            this.g = null;
            this.first = null;
            this.second = null;
        }
    }

    @Override
    public void run(int part, int worker) {
        // ranges start on whole vectors so every thread's loop is aligned the same way
        int vectors = (n + LANES - 1) / LANES;
        int from = Math.min(n, (int) ((long) vectors * part / parts) * LANES);
        int to = Math.min(n, (int) ((long) vectors * (part + 1) / parts) * LANES);
        if (adamw) {
            adamw(from, to);
        } else {
            sgd(from, to);
        }
    }

    private void sgd(int from, int to) {
        int body = from + SPECIES.loopBound(to - from);
        int i = from;
        for (; i < body; i += LANES) {
            FloatVector wv = FloatVector.fromArray(SPECIES, w, i);
            FloatVector grad = wv.mul(weightDecay).add(FloatVector.fromArray(SPECIES, g, i));
            if (momentum != 0f) {
                grad = FloatVector.fromArray(SPECIES, first, i).mul(momentum).add(grad);
                grad.intoArray(first, i);
            }
            wv.sub(grad.mul(lr)).intoArray(w, i);
        }
        // the remainder is shorter than a vector: the same formula one element at a time
        for (; i < to; i++) {
            float grad = g[i] + weightDecay * w[i];
            if (momentum != 0f) {
                first[i] = momentum * first[i] + grad;
                grad = first[i];
            }
            w[i] -= lr * grad;
        }
    }

    private void adamw(int from, int to) {
        float decay = 1f - lr * weightDecay;
        float stepSize = lr / biasCorrection1;
        float sqrtBiasCorrection2 = (float) Math.sqrt(biasCorrection2);
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        int body = from + SPECIES.loopBound(to - from);
        int i = from;
        for (; i < body; i += LANES) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, i);
            FloatVector wv = FloatVector.fromArray(SPECIES, w, i).mul(decay);
            FloatVector mv = FloatVector.fromArray(SPECIES, first, i);
            // PyTorch writes the first moment as a lerp towards g
            mv = mv.add(gv.sub(mv).mul(oneMinusBeta1));
            FloatVector vv = FloatVector.fromArray(SPECIES, second, i).mul(beta2)
                    .add(gv.mul(oneMinusBeta2).mul(gv));
            FloatVector denominator = vv.sqrt().div(sqrtBiasCorrection2).add(eps);
            wv = wv.sub(mv.div(denominator).mul(stepSize));
            mv.intoArray(first, i);
            vv.intoArray(second, i);
            wv.intoArray(w, i);
        }
        // the remainder is shorter than a vector: the same formula one element at a time
        for (; i < to; i++) {
            w[i] *= decay;
            first[i] += oneMinusBeta1 * (g[i] - first[i]);
            second[i] = beta2 * second[i] + oneMinusBeta2 * g[i] * g[i];
            float denominator = (float) Math.sqrt(second[i]) / sqrtBiasCorrection2 + eps;
            w[i] -= stepSize * (first[i] / denominator);
        }
    }
}
