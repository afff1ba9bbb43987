package dev.clipengine.bench.operators;

import dev.clipengine.bench.BenchmarkModels;
import dev.clipengine.bench.BenchmarkSettings;
import dev.clipengine.bench.BenchmarkSetup;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.TransformerConfig;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The base of the transformer operators' benchmarks, each at the sizes it has in a training step
 * of {@code vit-bench} at batch {@value BenchmarkModels#BATCH_SIZE}: the image tower's
 * {@code batch x 65} tokens of width 256 (the text tower's 16 tokens for causal attention).
 * Unlike the card's operators these split their rows over the worker pool, so both thread counts
 * are measured; {@code blas} and {@code javacpp} inherit them from {@code vector}.
 */
@State(Scope.Thread)
public abstract class TransformerOperatorBenchmark extends BenchmarkSettings {

    static final TransformerConfig MODEL = (TransformerConfig) BenchmarkModels.config("vit-bench");
    static final int BATCH = BenchmarkModels.BATCH_SIZE;
    /** Rows of the image tower's stream: every token of every image. */
    static final int ROWS = BATCH * MODEL.vision().tokens();
    static final int WIDTH = MODEL.vision().width();

    @Param({"scalar", "vector"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    Backend kernels;
    final SplittableRandom random = BenchmarkSetup.random();

    @Setup(Level.Trial)
    public void openBackend() {
        kernels = BenchmarkSetup.backend(backend, backend.equals("scalar") ? 1 : threads);
        prepare();
    }

    abstract void prepare();

    @TearDown(Level.Trial)
    public void closeBackend() {
        kernels.close();
    }

    float[] randomFloats(int size) {
        return BenchmarkSetup.randomFloats(random, size);
    }
}
