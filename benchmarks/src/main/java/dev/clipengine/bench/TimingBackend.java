package dev.clipengine.bench;

import dev.clipengine.kernels.Activation;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.ForwardingBackend;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend that computes on another and adds up the wall time of every call, by operator and, for
 * {@code sgemm}, by shape. Every operator returns only when its work is done, so the time between
 * entering and leaving a call is that operator's, threads included. Two clock reads, a lambda and a
 * map lookup cost well under a microsecond a call, nothing next to the operators of a training step.
 */
public final class TimingBackend extends ForwardingBackend {

    /** Calls and nanoseconds under one name; {@code flops} counted for products only. */
    public static final class Entry {
        public final String name;
        public long calls;
        public long nanos;
        public long flops;

        Entry(String name) {
            this.name = name;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public TimingBackend(Backend delegate) {
        super(delegate);
    }

    /** Every name timed so far, longest total time first. */
    public List<Entry> entries() {
        return entries.values().stream().sorted(Comparator.comparingLong((Entry e) -> e.nanos).reversed()).toList();
    }

    public void reset() {
        entries.clear();
    }

    private void timed(String name, long flops, Runnable call) {
        long start = System.nanoTime();
        call.run();
        long elapsed = System.nanoTime() - start;
        Entry entry = entries.computeIfAbsent(name, Entry::new);
        entry.calls++;
        entry.nanos += elapsed;
        entry.flops += flops;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOffset,
                      int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
        GemmShape shape = new GemmShape(transA, transB, m, n, k);
        timed("sgemm " + shape, shape.flops(),
                () -> delegate.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c,
                        cOffset, ldc));
    }

    @Override
    public void addBias(int rows, int cols, float[] x, float[] bias) {
        timed("addBias", 0, () -> delegate.addBias(rows, cols, x, bias));
    }

    @Override
    public void biasBackward(int rows, int cols, float[] dy, float[] dBias) {
        timed("biasBackward", 0, () -> delegate.biasBackward(rows, cols, dy, dBias));
    }

    @Override
    public void relu(int n, float[] x) {
        timed("relu", 0, () -> delegate.relu(n, x));
    }

    @Override
    public void reluBackward(int n, float[] y, float[] dy) {
        timed("reluBackward", 0, () -> delegate.reluBackward(n, y, dy));
    }

    @Override
    public void meanPool(int groups, int[] groupStart, int cols, float[] x, float[] out) {
        timed("meanPool", 0, () -> delegate.meanPool(groups, groupStart, cols, x, out));
    }

    @Override
    public void meanPoolBackward(int groups, int[] groupStart, int cols, float[] dOut, float[] dx) {
        timed("meanPoolBackward", 0, () -> delegate.meanPoolBackward(groups, groupStart, cols, dOut, dx));
    }

    @Override
    public void softmaxRows(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        timed("softmaxRows", 0, () -> delegate.softmaxRows(rows, cols, x, out, logSumExp));
    }

    @Override
    public void softmaxColumns(int rows, int cols, float[] x, float[] out, float[] logSumExp) {
        timed("softmaxColumns", 0, () -> delegate.softmaxColumns(rows, cols, x, out, logSumExp));
    }

    @Override
    public void l2Normalize(int rows, int cols, float[] x, float[] y, float[] norms) {
        timed("l2Normalize", 0, () -> delegate.l2Normalize(rows, cols, x, y, norms));
    }

    @Override
    public void l2NormalizeBackward(int rows, int cols, float[] y, float[] norms, float[] dy, float[] dx) {
        timed("l2NormalizeBackward", 0, () -> delegate.l2NormalizeBackward(rows, cols, y, norms, dy, dx));
    }

    @Override
    public void gather(int n, int[] ids, int cols, float[] table, float[] out) {
        timed("gather", 0, () -> delegate.gather(n, ids, cols, table, out));
    }

    @Override
    public void scatterAdd(int n, int[] ids, int cols, float[] dOut, float[] dTable) {
        timed("scatterAdd", 0, () -> delegate.scatterAdd(n, ids, cols, dOut, dTable));
    }

    @Override
    public void layerNorm(int rows, int cols, float[] x, float[] gamma, float[] beta, float[] y, float[] mean,
                          float[] rstd) {
        timed("layerNorm", 0, () -> delegate.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd));
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] x, float[] gamma, float[] mean, float[] rstd,
                                  float[] dy, float[] dx, float[] dGamma, float[] dBeta) {
        timed("layerNormBackward", 0,
                () -> delegate.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta));
    }

    @Override
    public void activation(Activation kind, int n, float[] x, float[] y) {
        timed("activation", 0, () -> delegate.activation(kind, n, x, y));
    }

    @Override
    public void activationBackward(Activation kind, int n, float[] x, float[] dy, float[] dx) {
        timed("activationBackward", 0, () -> delegate.activationBackward(kind, n, x, dy, dx));
    }

    @Override
    public void attention(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                          float[] probs, float[] out) {
        timed(causal ? "attention (causal)" : "attention", attentionFlops(sequences, length, heads, headWidth),
                () -> delegate.attention(sequences, length, heads, headWidth, causal, qkv, probs, out));
    }

    @Override
    public void attentionBackward(int sequences, int length, int heads, int headWidth, boolean causal, float[] qkv,
                                  float[] probs, float[] dOut, float[] dQkv) {
        timed(causal ? "attentionBackward (causal)" : "attentionBackward",
                2 * attentionFlops(sequences, length, heads, headWidth),
                () -> delegate.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs, dOut, dQkv));
    }

    @Override
    public void sgdStep(int n, float[] w, float[] g, float[] momentumBuffer, float lr, float momentum,
                        float weightDecay) {
        timed("sgdStep", 0, () -> delegate.sgdStep(n, w, g, momentumBuffer, lr, momentum, weightDecay));
    }

    @Override
    public void adamwStep(int n, float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                          float eps, float weightDecay, float biasCorrection1, float biasCorrection2) {
        timed("adamwStep", 0, () -> delegate.adamwStep(n, w, g, m, v, lr, beta1, beta2, eps, weightDecay,
                biasCorrection1, biasCorrection2));
    }

    /**
     * Scores and weighted sums of every head as if no position were masked: {@code 2 L L d} each,
     * per head and sequence. (A causal tower computes about half of that.)
     */
    private static long attentionFlops(int sequences, int length, int heads, int headWidth) {
        return 4L * sequences * heads * length * length * headWidth;
    }
}
