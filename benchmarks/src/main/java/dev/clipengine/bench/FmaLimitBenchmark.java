package dev.clipengine.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The machine's ceiling for the rest: a loop of nothing but independent fp32 vector FMAs, on one
 * thread and on two. Twelve accumulators cover the latency of two FMA units (4 cycles x 2 in
 * flight, with room to spare), so the loop runs at the units' throughput. The report quotes every
 * GFLOPS figure against this measured limit when it was run, so the share is this machine's.
 */
@State(Scope.Thread)
public class FmaLimitBenchmark extends BenchmarkSettings {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** FMAs of each accumulator per call: long enough that the call's overhead does not count. */
    static final int ROUNDS = 1 << 14;
    static final int ACCUMULATORS = 12;

    /** Floating-point operations of one call: two per lane per FMA. */
    public static long flopsPerCall() {
        return 2L * ROUNDS * ACCUMULATORS * SPECIES.length();
    }

    private final float[] start = new float[SPECIES.length()];

    @Setup
    public void setUp() {
        for (int i = 0; i < start.length; i++) {
            start[i] = 1e-3f * i;
        }
    }

    @Benchmark
    @Threads(1)
    public float oneThread() {
        return fmas();
    }

    @Benchmark
    @Threads(2)
    public float twoThreads() {
        return fmas();
    }

    // compiled on its own: inlined into JMH's loop, C2 was seen to recompile it after a few seconds
    // into code at half the speed
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private float fmas() {
        FloatVector x = FloatVector.fromArray(SPECIES, start, 0);
        // a multiplier just under 1 and a small addend keep every value finite and normal
        FloatVector m = FloatVector.broadcast(SPECIES, 0.999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = x, a1 = x.add(1), a2 = x.add(2), a3 = x.add(3), a4 = x.add(4), a5 = x.add(5);
        FloatVector a6 = x.add(6), a7 = x.add(7), a8 = x.add(8), a9 = x.add(9), a10 = x.add(10), a11 = x.add(11);
        for (int i = 0; i < ROUNDS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        // every accumulator feeds the result, so none of the loop is dead code
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
