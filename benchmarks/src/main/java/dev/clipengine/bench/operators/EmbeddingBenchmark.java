package dev.clipengine.bench.operators;

import dev.clipengine.bench.BenchmarkSetup;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * {@code gather} and {@code scatterAdd}: the token vectors of every caption of a batch (batch x
 * max_tokens tokens, word_dim wide) read from the embedding table, and their gradients added back.
 */
public class EmbeddingBenchmark extends OperatorBenchmark {

    private int tokens;
    private int dim;
    private int[] ids;
    private float[] table;
    private float[] tokenVectors;

    @Override
    void prepare() {
        tokens = BATCH * MODEL.maxTokens();
        dim = MODEL.wordDim();
        ids = BenchmarkSetup.randomInts(random, tokens, MODEL.vocabSize());
        table = randomFloats(MODEL.vocabSize() * dim);
        tokenVectors = new float[tokens * dim];
    }

    @Benchmark
    public float[] gather() {
        kernels.gather(tokens, ids, dim, table, tokenVectors);
        return tokenVectors;
    }

    /** Adds into the table in place, as the backward pass adds into the table's gradient. */
    @Benchmark
    public float[] scatterAdd() {
        kernels.scatterAdd(tokens, ids, dim, tokenVectors, table);
        return table;
    }
}
