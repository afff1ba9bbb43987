package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole training step, forward, backward and AdamW update, on a synthetic batch planned once
 * (see {@link TrainingStep}). Pairs a second = batch / time; the step's floating-point operations
 * are those of its products ({@link StepProducts#flops}), from which the report derives GFLOPS.
 *
 * <p>The engine promises that a warm step allocates nothing: run with {@code -prof gc} and
 * {@code gc.alloc.rate.norm} is the bytes allocated per step. Weights and optimizer moments go
 * back to their start before every iteration ({@link TrainingStep#restart}), outside the timing.
 *
 * <p>The scalar backend runs the seed model only ({@code seedStepOnScalar}, in about a
 * millisecond a step); on the default model its step takes seconds.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingStepBenchmark extends BenchmarkSettings {

    /** What {@code seedStepOnScalar} runs, for readers of its results, which have no parameters. */
    public static final String SCALAR_MODEL = "seed";
    public static final String SCALAR_BACKEND = "scalar";

    @State(Scope.Thread)
    public abstract static class PlannedStep {
        private Backend backend;
        TrainingStep step;

        abstract String model();

        abstract String backendName();

        abstract int threads();

        abstract int batchSize();

        @Setup(Level.Trial)
        public void plan() {
            backend = BenchmarkSetup.backend(backendName(), threads());
            step = new TrainingStep(BenchmarkModels.config(model()), backend, batchSize(), 0);
        }

        @Setup(Level.Iteration)
        public void restart() {
            step.restart();
        }

        @TearDown(Level.Trial)
        public void close() {
            backend.close();
        }
    }

    public static class Step extends PlannedStep {
        @Param({"seed", "default", "benchmark", "vit-bench"})
        public String model;

        @Param({"vector", "blas", "javacpp"})
        public String backend;

        @Param({"1", "2"})
        public int threads;

        @Param({"" + BenchmarkModels.BATCH_SIZE})
        public int batch;

        @Override
        String model() {
            return model;
        }

        @Override
        String backendName() {
            return backend;
        }

        @Override
        int threads() {
            return threads;
        }

        @Override
        int batchSize() {
            return batch;
        }
    }

    /** No parameters, so that none of {@link Step}'s, given on the command line, lands the scalar loops on a large model. */
    public static class ScalarSeedStep extends PlannedStep {
        @Override
        String model() {
            return SCALAR_MODEL;
        }

        @Override
        String backendName() {
            return SCALAR_BACKEND;
        }

        @Override
        int threads() {
            return 1;
        }

        @Override
        int batchSize() {
            return BenchmarkModels.BATCH_SIZE;
        }
    }

    /** Returns the loss, so the step cannot be optimised away. */
    @Benchmark
    public double step(Step state) {
        return state.step.run();
    }

    @Benchmark
    public double seedStepOnScalar(ScalarSeedStep state) {
        return state.step.run();
    }
}
