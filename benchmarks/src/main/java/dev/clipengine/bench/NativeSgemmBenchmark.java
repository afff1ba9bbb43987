package dev.clipengine.bench;

import dev.clipengine.blas.OpenBlas;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * One {@code cblas_sgemm}, the same OpenBLAS code, reached five ways: {@code ffmCritical} (heap
 * {@code float[]} through a {@code critical(true)} downcall, what {@code blas} does),
 * {@code ffmSegment} (native segments through a plain downcall), {@code javacppArray} (JavaCPP's
 * {@code float[]} overload, what {@code javacpp} does), {@code javacppPointer} (its
 * {@code FloatPointer} overload on native memory) and {@code javacppPointerCopied} (the same with
 * the heap arrays copied in and C copied out, the price of that overload for the engine's heap
 * tensors).
 *
 * <p>Shapes as in {@link GemmShape}; the defaults are the default model's training step at
 * batch 128 (2048 patches of 192 values, hidden 512, embedding 64) and a 4x4x4 call that is all
 * overhead. OpenBLAS runs on {@code threads} threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class NativeSgemmBenchmark {

    @Param({"1"})
    public int threads;

    @Param({"4", "64", "2048x512Tx192", "512Tx192x2048", "128x64Tx512", "128x128Tx64"})
    public String shape;

    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private int lda;
    private int ldb;
    private float[] a;
    private float[] b;
    private float[] c;
    private Arena arena;
    private MemorySegment aSegment;
    private MemorySegment bSegment;
    private MemorySegment cSegment;
    private FloatPointer aPointer;
    private FloatPointer bPointer;
    private FloatPointer cPointer;

    @Setup(Level.Trial)
    public void setUp() {
        GemmShape product = GemmShape.parse(shape);
        transA = product.transA();
        transB = product.transB();
        m = product.m();
        n = product.n();
        k = product.k();
        lda = product.lda();
        ldb = product.ldb();
        SplittableRandom random = BenchmarkSetup.random();
        a = BenchmarkSetup.randomFloats(random, product.aSize());
        b = BenchmarkSetup.randomFloats(random, product.bSize());
        c = new float[product.cSize()];
        arena = Arena.ofShared();
        aSegment = arena.allocateFrom(ValueLayout.JAVA_FLOAT, a);
        bSegment = arena.allocateFrom(ValueLayout.JAVA_FLOAT, b);
        cSegment = arena.allocate(ValueLayout.JAVA_FLOAT, c.length);
        aPointer = new FloatPointer(a);
        bPointer = new FloatPointer(b);
        cPointer = new FloatPointer(c.length);
        OpenBlas.setThreads(threads);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        aPointer.close();
        bPointer.close();
        cPointer.close();
    }

    @Benchmark
    public float[] ffmCritical() {
        OpenBlas.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        return c;
    }

    @Benchmark
    public MemorySegment ffmSegment() {
        OpenBlas.sgemm(transA, transB, m, n, k, 1f, aSegment, 0, lda, bSegment, 0, ldb, 0f, cSegment, 0, n);
        return cSegment;
    }

    @Benchmark
    public float[] javacppArray() {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trans(transA), trans(transB), m, n, k, 1f,
                a, lda, b, ldb, 0f, c, n);
        return c;
    }

    @Benchmark
    public FloatPointer javacppPointer() {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trans(transA), trans(transB), m, n, k, 1f,
                aPointer, lda, bPointer, ldb, 0f, cPointer, n);
        return cPointer;
    }

    @Benchmark
    public float[] javacppPointerCopied() {
        aPointer.put(a, 0, a.length);
        bPointer.put(b, 0, b.length);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, trans(transA), trans(transB), m, n, k, 1f,
                aPointer, lda, bPointer, ldb, 0f, cPointer, n);
        cPointer.get(c, 0, c.length);
        return c;
    }

    private static int trans(boolean transposed) {
        return transposed ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    }
}
