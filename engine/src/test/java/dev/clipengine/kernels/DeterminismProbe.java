package dev.clipengine.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Runs every operator once on fixed random data and prints one checksum line per operator, so
 * that a run in an interpreted JVM ({@code -Xint}) can be compared with a warm, compiled one.
 * Arguments: the backend's name in {@link KernelTesting#FACTORIES} and its thread count.
 */
final class DeterminismProbe {

    private DeterminismProbe() {
    }

    public static void main(String[] args) {
        try (Backend backend = KernelTesting.FACTORIES.get(args[0]).apply(Integer.parseInt(args[1]))) {
            System.out.print(checksums(backend));
        }
    }

    /** One line per operator: its name and a hash of the bits of everything it wrote. */
    static String checksums(Backend backend) {
        Random random = new Random(81);
        StringBuilder out = new StringBuilder();
        int m = 20;
        int n = 70;
        int k = 140;
        float[] a = KernelTesting.random(random, m * k);
        float[] b = KernelTesting.random(random, k * n);
        for (int t = 0; t < 4; t++) {
            boolean transA = t >= 2;
            boolean transB = t % 2 == 1;
            float[] c = KernelTesting.random(random, m * n);
            backend.sgemm(transA, transB, m, n, k, 0.75f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.5f, c, 0, n);
            line(out, "sgemm" + t, c);
        }
        int rows = 13;
        int cols = 37;
        float[] x = KernelTesting.random(random, rows * cols, -8f, 8f);
        float[] y = new float[rows * cols];
        float[] perRow = new float[rows];
        float[] perColumn = new float[cols];
        backend.softmaxRows(rows, cols, x, y, perRow);
        line(out, "softmaxRows", y, perRow);
        backend.softmaxColumns(rows, cols, x, y, perColumn);
        line(out, "softmaxColumns", y, perColumn);
        backend.l2Normalize(rows, cols, x, y, perRow);
        line(out, "l2Normalize", y, perRow);
        float[] dx = new float[rows * cols];
        float[] dy = KernelTesting.random(random, rows * cols);
        backend.l2NormalizeBackward(rows, cols, y, perRow, dy, dx);
        line(out, "l2NormalizeBackward", dx);
        backend.biasBackward(rows, cols, x, perColumn);
        line(out, "biasBackward", perColumn);
        float[] biased = x.clone();
        backend.addBias(rows, cols, biased, perColumn);
        line(out, "addBias", biased);
        backend.relu(rows * cols, biased);
        line(out, "relu", biased);
        backend.reluBackward(rows * cols, biased, dy);
        line(out, "reluBackward", dy);
        int[] groupStart = {0, 1, 5, 13};
        float[] pooled = new float[3 * cols];
        backend.meanPool(3, groupStart, cols, x, pooled);
        line(out, "meanPool", pooled);
        backend.meanPoolBackward(3, groupStart, cols, pooled, dx);
        line(out, "meanPoolBackward", dx);
        int[] ids = {3, 1, 3, 0, 12, 3};
        float[] gathered = new float[ids.length * cols];
        backend.gather(ids.length, ids, cols, x, gathered);
        line(out, "gather", gathered);
        float[] table = x.clone();
        backend.scatterAdd(ids.length, ids, cols, gathered, table);
        line(out, "scatterAdd", table);
        float[] gamma = KernelTesting.random(random, cols);
        float[] beta = KernelTesting.random(random, cols);
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        backend.layerNorm(rows, cols, x, gamma, beta, y, mean, rstd);
        line(out, "layerNorm", y, mean, rstd);
        float[] dGamma = new float[cols];
        float[] dBeta = new float[cols];
        backend.layerNormBackward(rows, cols, x, gamma, mean, rstd, dy, dx, dGamma, dBeta);
        line(out, "layerNormBackward", dx, dGamma, dBeta);
        for (Activation kind : Activation.values()) {
            backend.activation(kind, rows * cols, x, y);
            line(out, "activation " + kind, y);
            backend.activationBackward(kind, rows * cols, x, dy, dx);
            line(out, "activationBackward " + kind, dx);
        }
        // 2 sequences of 11 tokens, 3 heads of 9: tails of keys and of head columns
        int sequences = 2;
        int length = 11;
        int heads = 3;
        int headWidth = 9;
        float[] qkv = KernelTesting.random(random, sequences * length * 3 * heads * headWidth, -2f, 2f);
        float[] probs = new float[sequences * heads * length * length];
        float[] attended = new float[sequences * length * heads * headWidth];
        float[] dAttended = KernelTesting.random(random, attended.length);
        float[] dQkv = new float[qkv.length];
        for (boolean causal : new boolean[] {false, true}) {
            backend.attention(sequences, length, heads, headWidth, causal, qkv, probs, attended);
            line(out, "attention" + (causal ? " causal" : ""), probs, attended);
            backend.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs, dAttended, dQkv);
            line(out, "attentionBackward" + (causal ? " causal" : ""), dQkv);
        }
        int size = 1000;
        float[] w = KernelTesting.random(random, size);
        float[] g = KernelTesting.random(random, size);
        float[] first = new float[size];
        float[] second = new float[size];
        backend.sgdStep(size, w, g, first, 0.1f, 0.9f, 0.01f);
        line(out, "sgdStep", w, first);
        backend.adamwStep(size, w, g, first, second, 1e-3f, 0.9f, 0.98f, 1e-6f, 0.1f, 0.1f, 0.02f);
        line(out, "adamwStep", w, first, second);
        return out.toString();
    }

    private static void line(StringBuilder out, String name, float[]... arrays) {
        int hash = 1;
        for (float[] array : arrays) {
            int[] bits = new int[array.length];
            for (int i = 0; i < array.length; i++) {
                bits[i] = Float.floatToRawIntBits(array[i]);
            }
            hash = 31 * hash + Arrays.hashCode(bits);
        }
        out.append(name).append(' ').append(Integer.toHexString(hash)).append('\n');
    }
}
