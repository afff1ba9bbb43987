package dev.clipengine.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Time per {@code sgemm}; GFLOPS = 2 m n k / time. Shapes are written as in {@link GemmShape}:
 * {@code 512}, or {@code 4096x512Tx49} with {@code T} marking a transposed operand.
 *
 * <p>Three methods, each with parameters of its own so that none multiplies another's:
 * <ul>
 *   <li>{@code sgemm}: any {@code shape} (square 64 to 1024 by default) on every backend that calls
 *       a fast product, on 1 and 2 threads;</li>
 *   <li>{@code stepSgemm}: every distinct {@code product} of one training step (forward and
 *       backward) of the seed, default and benchmark models at batch
 *       {@value BenchmarkModels#BATCH_SIZE}. {@code step:MODEL} stands for that model's list, which
 *       {@link BenchmarkMain} (the jar's main class) reads from a real step of the model before
 *       JMH starts; literal shapes are taken as they are;</li>
 *   <li>{@code scalarSgemm}: the reference loops, only up to 256^3, since they take seconds a call
 *       beyond; single-threaded by design.</li>
 * </ul>
 * For example {@code -p product=step:benchmark -p backend=vector,blas -p threads=2}; the regex
 * {@code SgemmBenchmark.sgemm$} runs only the first method.
 */
public class SgemmBenchmark extends BenchmarkSettings {

    /** A product on one of the fast backends; subclasses say which shape. */
    @State(Scope.Thread)
    public abstract static class FastBackendCall {
        @Param({"vector", "blas", "javacpp"})
        public String backend;

        @Param({"1", "2"})
        public int threads;

        SgemmCall call;

        abstract String shape();

        @Setup
        public void setUp() {
            call = new SgemmCall(GemmShape.parse(shape()), BenchmarkSetup.backend(backend, threads));
        }

        @TearDown
        public void tearDown() {
            call.close();
        }
    }

    public static class GivenShape extends FastBackendCall {
        @Param({"64", "128", "256", "512", "1024"})
        public String shape;

        @Override
        String shape() {
            return shape;
        }
    }

    public static class StepProduct extends FastBackendCall {
        /** Expanded by {@link BenchmarkMain} into the products of each model's step. */
        @Param({"step:seed", "step:default", "step:benchmark"})
        public String product;

        @Override
        String shape() {
            if (StepProducts.isToken(product)) {
                throw new IllegalStateException("'" + product + "' was not expanded into the step's products: run "
                        + "benchmarks.jar with its own main class (java -jar), not org.openjdk.jmh.Main");
            }
            return product;
        }
    }

    @State(Scope.Thread)
    public static class ScalarCall {
        @Param({"64", "128", "256"})
        public String scalarShape;

        SgemmCall call;

        @Setup
        public void setUp() {
            call = new SgemmCall(GemmShape.parse(scalarShape), BenchmarkSetup.backend("scalar", 1));
        }

        @TearDown
        public void tearDown() {
            call.close();
        }
    }

    @Benchmark
    public float[] sgemm(GivenShape state) {
        return state.call.run();
    }

    @Benchmark
    public float[] stepSgemm(StepProduct state) {
        return state.call.run();
    }

    @Benchmark
    public float[] scalarSgemm(ScalarCall state) {
        return state.call.run();
    }
}
