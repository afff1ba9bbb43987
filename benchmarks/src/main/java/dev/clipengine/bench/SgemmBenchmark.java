package dev.clipengine.bench;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.kernels.VectorBackend;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time per {@code sgemm}, square and at the shapes of a training step. GFLOPS = 2 m n k / time.
 *
 * <p>A shape is {@code m}x{@code n}x{@code k}, or one number for a square product; a {@code T}
 * suffix on a side transposes that operand, e.g. {@code 256Tx48x4096} is the weight gradient
 * {@code dW = dY^T X}. The scalar backend is only run up to 256^3 (larger products take seconds a
 * call), and only when asked for, e.g.
 * {@code -p backend=scalar,vector -p shape=64,128,256}. The OpenBLAS backends, {@code blas} and
 * {@code javacpp}, are picked like any other: {@code -p backend=vector,blas,javacpp}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SgemmBenchmark {

    @Param({"vector"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    /** Square sizes, then patches forward (X W^T), the weight gradient (dY^T X) and the input gradient (dY W). */
    @Param({"64", "128", "256", "512", "1024", "4096x256Tx48", "256Tx48x4096", "4096x48x256"})
    public String shape;

    private Backend kernels;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        String[] sides = shape.contains("x") ? shape.split("x") : new String[] {shape, shape, shape};
        transA = sides[0].endsWith("T");
        transB = sides[1].endsWith("T");
        m = Integer.parseInt(sides[0].replace("T", ""));
        n = Integer.parseInt(sides[1].replace("T", ""));
        k = Integer.parseInt(sides[2].replace("T", ""));
        kernels = switch (backend) {
            case "scalar" -> {
                if ((long) m * n * k > 256L * 256 * 256) {
                    throw new IllegalArgumentException("the scalar backend is only benchmarked up to 256^3, not " + shape);
                }
                yield new ScalarBackend();
            }
            case "vector" -> new VectorBackend(threads);
            default -> Backends.create(backend, threads);
        };
        Random random = new Random(1);
        a = randomArray(random, m * k);
        b = randomArray(random, k * n);
        c = new float[m * n];
    }

    @TearDown
    public void tearDown() {
        kernels.close();
    }

    @Benchmark
    public float[] sgemm() {
        kernels.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    private static float[] randomArray(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return values;
    }
}
