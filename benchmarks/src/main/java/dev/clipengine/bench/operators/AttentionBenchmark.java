package dev.clipengine.bench.operators;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Attention over every head of a batch: the image tower's 65 tokens (no mask) or the text
 * tower's 16 (causal), as one block of {@code vit-bench} takes it.
 */
public class AttentionBenchmark extends TransformerOperatorBenchmark {

    @Param({"image", "text"})
    public String tower;

    private int length;
    private int heads;
    private int headWidth;
    private boolean causal;
    private float[] qkv;
    private float[] probs;
    private float[] out;
    private float[] dOut;
    private float[] dQkv;

    @Override
    void prepare() {
        boolean image = tower.equals("image");
        length = image ? MODEL.vision().tokens() : MODEL.text().contextLength();
        heads = image ? MODEL.vision().heads() : MODEL.text().heads();
        headWidth = image ? MODEL.vision().headWidth() : MODEL.text().headWidth();
        causal = !image;
        int width = heads * headWidth;
        qkv = randomFloats(BATCH * length * 3 * width);
        probs = new float[BATCH * heads * length * length];
        out = new float[BATCH * length * width];
        dOut = randomFloats(out.length);
        dQkv = new float[qkv.length];
        kernels.attention(BATCH, length, heads, headWidth, causal, qkv, probs, out);
    }

    @Benchmark
    public float[] forward() {
        kernels.attention(BATCH, length, heads, headWidth, causal, qkv, probs, out);
        return out;
    }

    @Benchmark
    public float[] backward() {
        kernels.attentionBackward(BATCH, length, heads, headWidth, causal, qkv, probs, dOut, dQkv);
        return dQkv;
    }
}
