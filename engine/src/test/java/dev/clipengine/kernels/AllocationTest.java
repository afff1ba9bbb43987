package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Once warm, the compute of a training step allocates nothing (contract section 6). */
class AllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** The JIT compiles in the background: give it this long to reach the steady state. */
    private static final long WARM_UP_NANOS = 20_000_000_000L;

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateSgemmAllocatesNothing(Backend backend) {
        Random random = new Random(101);
        // edges in m and n, two k-blocks, and large enough to be split on 2 threads
        int m = 131;
        int n = 100;
        int k = 160;
        float[] a = random(random, m * k);
        float[] b = random(random, k * n);
        float[] c = new float[m * n];
        Runnable call = () -> {
            backend.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            backend.sgemm(true, true, m, n, k, 1f, a, 0, m, b, 0, k, 1f, c, 0, n);
        };
        assertEquals(0, steadyStateAllocation(call), "bytes allocated by 20 steady-state sgemm calls");
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateOptimizerStepsAllocateNothing(Backend backend) {
        Random random = new Random(102);
        // a short tensor (one thread) and a long one (split)
        int[] sizes = {1000, 200_003};
        float[][] w = new float[2][];
        float[][] g = new float[2][];
        float[][] m = new float[2][];
        float[][] v = new float[2][];
        for (int i = 0; i < 2; i++) {
            w[i] = random(random, sizes[i]);
            g[i] = random(random, sizes[i], -1e-3f, 1e-3f);
            m[i] = new float[sizes[i]];
            v[i] = new float[sizes[i]];
        }
        Runnable call = () -> {
            for (int i = 0; i < 2; i++) {
                backend.adamwStep(sizes[i], w[i], g[i], m[i], v[i], 1e-4f, 0.9f, 0.98f, 1e-6f, 0.1f, 0.5f, 0.5f);
                backend.sgdStep(sizes[i], w[i], g[i], m[i], 1e-4f, 0.9f, 0.01f);
            }
        };
        assertEquals(0, steadyStateAllocation(call), "bytes allocated by 20 steady-state optimizer steps");
    }

    /** Runs call until 20 calls in a row allocate nothing on this thread, or the warm-up time is over. */
    private static long steadyStateAllocation(Runnable call) {
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        long allocated;
        do {
            for (int i = 0; i < 200; i++) {
                call.run();
            }
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20; i++) {
                call.run();
            }
            allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        } while (allocated != 0 && System.nanoTime() < deadline);
        return allocated;
    }
}
