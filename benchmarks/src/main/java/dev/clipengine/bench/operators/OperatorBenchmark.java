package dev.clipengine.bench.operators;

import dev.clipengine.bench.BenchmarkModels;
import dev.clipengine.bench.BenchmarkSettings;
import dev.clipengine.bench.BenchmarkSetup;
import dev.clipengine.kernels.Backend;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The base of the benchmarks of the operators other than {@code sgemm}, each at the sizes it has in
 * a training step of the benchmark model ({@link #MODEL}) at batch {@value BenchmarkModels#BATCH_SIZE}.
 *
 * <p>Only {@code scalar} and {@code vector} are measured: {@code blas} and {@code javacpp} replace
 * only {@code sgemm} and inherit every other operator from {@code vector}, so their figures would
 * be the same kernels again.
 *
 * <p>On one thread: at these sizes {@code vector} runs each of these operators on the calling
 * thread alone (it splits only optimizer updates far longer than any tensor of this model).
 */
@State(Scope.Thread)
public abstract class OperatorBenchmark extends BenchmarkSettings {

    static final MlpConfig MODEL = (MlpConfig) BenchmarkModels.config("benchmark");
    static final int BATCH = BenchmarkModels.BATCH_SIZE;

    @Param({"scalar", "vector"})
    public String backend;

    /** The backend under test; {@code backend} is the parameter's name, which the results show. */
    Backend kernels;
    final SplittableRandom random = BenchmarkSetup.random();

    @Setup(Level.Trial)
    public void openBackend() {
        kernels = BenchmarkSetup.backend(backend, 1);
        prepare();
    }

    /** Plans the operands, once {@link #kernels} is open. */
    abstract void prepare();

    @TearDown(Level.Trial)
    public void closeBackend() {
        kernels.close();
    }

    float[] randomFloats(int size) {
        return BenchmarkSetup.randomFloats(random, size);
    }
}
