package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertBitwiseEqual;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Multi-head self-attention and its backward pass: every backend against the reference over
 * lengths, head counts and head widths around the vector widths, causal and not; the
 * probabilities' own properties (masked entries exactly 0, rows summing to 1); the same bits for
 * any thread count and either height of the vector backend's tile; and the reference and every backend against finite differences of an
 * attention written here in double.
 */
class AttentionTest {

    /** 1, primes, around the vector widths of 8 and 16 floats and the four-vector blocks of keys, CLIP's 77. */
    private static final int[] LENGTHS = {1, 5, 9, 17, 65, 77};
    private static final int[] HEAD_WIDTHS = {1, 8, 15, 16, 17, 32, 64};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void forwardAndBackwardMatchTheReference(Backend backend) {
        Random random = new Random(121);
        int shape = 0;
        for (int length : LENGTHS) {
            for (int w = 0; w < HEAD_WIDTHS.length; w++) {
                int headWidth = HEAD_WIDTHS[w];
                for (int heads = 1; heads <= 4; heads++) {
                    // the long sequences with one head count per head width, in turn, to keep the test quick
                    if (length > 32 && heads != 1 + (w + length) % 4) {
                        continue;
                    }
                    for (boolean causal : new boolean[] {false, true}) {
                        // 1 to 3 sequences, so that even one head is work for two threads
                        int sequences = 1 + shape % 3;
                        // scores within a unit or two, or up to several units where the softmax is
                        // peaked; causal and not take each in turn
                        float spread = (shape + shape / 2) % 2 == 0 ? 1f : 2.5f;
                        shape++;
                        compare(backend, sequences, length, heads, headWidth, causal, spread, random);
                    }
                }
            }
        }
    }

    private static void compare(Backend backend, int sequences, int length, int heads, int headWidth,
                                boolean causal, float spread, Random random) {
        String what = backend.name() + " " + sequences + " x " + length + " tokens, " + heads + " x " + headWidth
                + (causal ? ", causal" : "") + ", spread " + spread;
        int width = heads * headWidth;
        int rows = sequences * length;
        float[] qkv = random(random, rows * 3 * width + 3, -spread, spread);
        // outputs longer than needed and NaN: every entry must be written, and only those
        float[] expectedProbs = nans(sequences * heads * length * length + 3);
        float[] actualProbs = expectedProbs.clone();
        float[] expectedOut = nans(rows * width + 3);
        float[] actualOut = expectedOut.clone();
        REFERENCE.attention(sequences, length, heads, headWidth, causal, qkv, expectedProbs, expectedOut);
        backend.attention(sequences, length, heads, headWidth, causal, qkv, actualProbs, actualOut);
        // a score is a sum of headWidth products, and an exp turns its error into a relative one
        assertClose("attention probs " + what, expectedProbs, actualProbs, depthTolerance(headWidth));
        assertClose("attention out " + what, expectedOut, actualOut, depthTolerance(headWidth + length));

        float[] dOut = random(random, rows * width + 3);
        float[] expectedDQkv = nans(rows * 3 * width + 3);
        float[] actualDQkv = expectedDQkv.clone();
        REFERENCE.attentionBackward(sequences, length, heads, headWidth, causal, qkv, expectedProbs, dOut,
                expectedDQkv);
        backend.attentionBackward(sequences, length, heads, headWidth, causal, qkv, expectedProbs, dOut,
                actualDQkv);
        assertClose("attentionBackward dQkv " + what, expectedDQkv, actualDQkv, depthTolerance(headWidth + length));
    }

    private static float[] nans(int n) {
        float[] values = new float[n];
        Arrays.fill(values, Float.NaN);
        return values;
    }

    /**
     * What the probabilities are whatever the arithmetic: with the causal mask every entry above
     * the diagonal is exactly +0 (softmax of -inf), every row sums to 1, and the first token,
     * seeing only itself, gets its own v unchanged.
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void probabilitiesAreMaskedAndSumToOne(Backend backend) {
        Random random = new Random(122);
        for (int length : LENGTHS) {
            for (int headWidth : new int[] {1, 64}) {
                for (boolean causal : new boolean[] {false, true}) {
                    int sequences = 2;
                    int heads = 3;
                    int width = heads * headWidth;
                    String what = backend.name() + " " + length + " tokens, " + heads + " x " + headWidth
                            + (causal ? ", causal" : "");
                    float[] qkv = random(random, sequences * length * 3 * width, -3f, 3f);
                    float[] probs = nans(sequences * heads * length * length);
                    float[] out = nans(sequences * length * width);
                    backend.attention(sequences, length, heads, headWidth, causal, qkv, probs, out);
                    for (int s = 0; s < sequences; s++) {
                        for (int h = 0; h < heads; h++) {
                            for (int i = 0; i < length; i++) {
                                int row = ((s * heads + h) * length + i) * length;
                                double sum = 0;
                                for (int j = 0; j < length; j++) {
                                    float p = probs[row + j];
                                    if (causal && j > i && Float.floatToRawIntBits(p) != 0) {
                                        fail(what + ": sequence " + s + " head " + h + " query " + i + " key " + j
                                                + " is masked but has probability " + p);
                                    }
                                    if (!(p >= 0 && p <= 1)) {
                                        fail(what + ": probability " + p + " at query " + i + " key " + j);
                                    }
                                    sum += p;
                                }
                                assertEquals(1, sum, depthTolerance(length), what + ": row " + i + " sums to " + sum);
                            }
                            if (causal) {
                                // token 0 attends to itself alone: its output is its v, bit for bit
                                int v = s * length * 3 * width + 2 * width + h * headWidth;
                                int o = s * length * width + h * headWidth;
                                assertBitwiseEqual(what + ": the first token's output",
                                        Arrays.copyOfRange(qkv, v, v + headWidth),
                                        Arrays.copyOfRange(out, o, o + headWidth));
                            }
                        }
                    }
                }
            }
        }
    }

    /** The vector backend with its tile kernel 6 rows high and 4: the same sums, so the same bits. */
    static Stream<Arguments> tileHeights() {
        return Stream.of(Arguments.of(Named.of("vector, 6-row and 4-row tiles", new VectorBackend(2, 6)),
                new VectorBackend(2, 4)));
    }

    @ParameterizedTest
    @MethodSource({"dev.clipengine.kernels.KernelTesting#threadPairs", "tileHeights"})
    void oneAndTwoThreadsAndEitherTileGiveTheSameBits(Backend one, Backend two) {
        Random random = new Random(123);
        int[][] shapes = {{3, 77, 4, 17}, {2, 65, 2, 64}, {5, 17, 1, 8}, {1, 50, 8, 16}};
        for (int[] shape : shapes) {
            int sequences = shape[0];
            int length = shape[1];
            int heads = shape[2];
            int headWidth = shape[3];
            int width = heads * headWidth;
            int rows = sequences * length;
            for (boolean causal : new boolean[] {false, true}) {
                String what = Arrays.toString(shape) + (causal ? " causal" : "");
                float[] qkv = random(random, rows * 3 * width, -2f, 2f);
                float[] probs1 = new float[sequences * heads * length * length];
                float[] probs2 = new float[probs1.length];
                float[] out1 = new float[rows * width];
                float[] out2 = new float[out1.length];
                one.attention(sequences, length, heads, headWidth, causal, qkv, probs1, out1);
                two.attention(sequences, length, heads, headWidth, causal, qkv, probs2, out2);
                assertBitwiseEqual("attention probs " + what, probs1, probs2);
                assertBitwiseEqual("attention out " + what, out1, out2);

                float[] dOut = random(random, rows * width);
                float[] dQkv1 = new float[qkv.length];
                float[] dQkv2 = new float[qkv.length];
                one.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs1, dOut, dQkv1);
                two.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs1, dOut, dQkv2);
                assertBitwiseEqual("attentionBackward dQkv " + what, dQkv1, dQkv2);
            }
        }
    }

    /**
     * dQkv of {@code L = sum w out} against central differences of an attention computed here in
     * double, w.r.t. every element of qkv: every query, key and value of every head of every
     * sequence, with and without the mask.
     */
    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#referenceAndBackendsUnderTest")
    void backwardMatchesFiniteDifferences(Backend backend) {
        Random random = new Random(124);
        // {sequences, length, heads, headWidth}: the small case, and one past a vector of keys and of a head
        int[][] shapes = {{2, 5, 2, 3}, {1, 17, 2, 9}};
        for (int[] shape : shapes) {
            int sequences = shape[0];
            int length = shape[1];
            int heads = shape[2];
            int headWidth = shape[3];
            int width = heads * headWidth;
            int rows = sequences * length;
            for (boolean causal : new boolean[] {false, true}) {
                String what = backend.name() + " " + Arrays.toString(shape) + (causal ? " causal" : "");
                float[] qkv = random(random, rows * 3 * width, -1.5f, 1.5f);
                float[] w = FiniteDifferences.weights(random, rows * width);
                float[] probs = new float[sequences * heads * length * length];
                float[] out = new float[rows * width];
                backend.attention(sequences, length, heads, headWidth, causal, qkv, probs, out);
                float[] dQkv = new float[qkv.length];
                backend.attentionBackward(sequences, length, heads, headWidth, causal, qkv, probs, w, dQkv);

                double[] qkvD = FiniteDifferences.toDouble(qkv, qkv.length);
                double[] numeric = FiniteDifferences.gradient(qkvD, () -> FiniteDifferences.weightedSum(w,
                        attention(sequences, length, heads, headWidth, causal, qkvD)));
                FiniteDifferences.assertGradient("dQkv " + what, numeric, dQkv);

                // and the forward pass against the same attention
                double[] exact = attention(sequences, length, heads, headWidth, causal, qkvD);
                float[] exactOut = new float[exact.length];
                for (int i = 0; i < exact.length; i++) {
                    exactOut[i] = (float) exact[i];
                }
                assertClose("attention against double " + what, exactOut, out, depthTolerance(headWidth + length));
            }
        }
    }

    /**
     * {@code softmax(q k^T / sqrt(headWidth)) v} per sequence and head, in double: the causal
     * mask leaves query i the keys 0..i.
     */
    private static double[] attention(int sequences, int length, int heads, int headWidth, boolean causal,
                                      double[] qkv) {
        int width = heads * headWidth;
        double[] out = new double[sequences * length * width];
        double[] weights = new double[length];
        for (int s = 0; s < sequences; s++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < length; i++) {
                    int query = (s * length + i) * 3 * width + h * headWidth;
                    int keys = causal ? i + 1 : length;
                    double total = 0;
                    for (int j = 0; j < keys; j++) {
                        int key = (s * length + j) * 3 * width + width + h * headWidth;
                        double dot = 0;
                        for (int d = 0; d < headWidth; d++) {
                            dot += qkv[query + d] * qkv[key + d];
                        }
                        // no max subtracted: these scores are a few units
                        weights[j] = Math.exp(dot / Math.sqrt(headWidth));
                        total += weights[j];
                    }
                    for (int j = 0; j < keys; j++) {
                        int value = (s * length + j) * 3 * width + 2 * width + h * headWidth;
                        for (int d = 0; d < headWidth; d++) {
                            out[(s * length + i) * width + h * headWidth + d] += weights[j] / total * qkv[value + d];
                        }
                    }
                }
            }
        }
        return out;
    }
}
