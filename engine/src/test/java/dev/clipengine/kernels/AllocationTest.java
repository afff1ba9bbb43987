package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Once warm, the compute of a training step allocates nothing (docs/model.md). */
class AllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /**
     * The JIT compiles in the background: give it this long to reach the steady state. A quiet
     * machine gets there in well under a second; on one loaded with other builds 20 s was once
     * too short. The wait ends as soon as 20 calls in a row allocate nothing.
     */
    private static final long WARM_UP_NANOS = 90_000_000_000L;

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

    /*
     * One test per remaining operator, so that a regression names the operator. Shapes end on a
     * partial vector (cols 33 and 7 with 16 lanes; also partial with 8) at the very end of the
     * array, where a masked load or store would run past it and fall back to allocating Java
     * code, and include the 32 x 32 of the training step.
     */

    /** {rows, cols}: partial last vectors that end the array, and whole vectors only. */
    private static final int[][] SHAPES = {{5, 33}, {3, 7}, {32, 32}};

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateAddBiasAllocatesNothing(Backend backend) {
        Random random = new Random(103);
        float[][] x = new float[SHAPES.length][];
        float[][] bias = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            x[s] = random(random, SHAPES[s][0] * SHAPES[s][1]);
            bias[s] = random(random, SHAPES[s][1], -1e-3f, 1e-3f);
        }
        assertSteadyStateAllocatesNothing("addBias", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.addBias(SHAPES[s][0], SHAPES[s][1], x[s], bias[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateBiasBackwardAllocatesNothing(Backend backend) {
        Random random = new Random(104);
        float[][] dy = matrices(random);
        float[][] dBias = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            dBias[s] = new float[SHAPES[s][1]];
        }
        assertSteadyStateAllocatesNothing("biasBackward", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.biasBackward(SHAPES[s][0], SHAPES[s][1], dy[s], dBias[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateReluAllocatesNothing(Backend backend) {
        Random random = new Random(105);
        float[][] x = matrices(random);
        float[][] y = matrices(random);
        float[][] dy = matrices(random);
        assertSteadyStateAllocatesNothing("relu", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                int n = SHAPES[s][0] * SHAPES[s][1];
                backend.relu(n, x[s]);
                // relu zeroes half of x for good; refill it with signs from y
                System.arraycopy(y[s], 0, x[s], 0, n);
            }
        });
        assertSteadyStateAllocatesNothing("reluBackward", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.reluBackward(SHAPES[s][0] * SHAPES[s][1], y[s], dy[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateMeanPoolAllocatesNothing(Backend backend) {
        Random random = new Random(106);
        // groups of 1, 3 and 2 rows
        int[] groupStart = {0, 1, 4, 6};
        int groups = 3;
        int[] widths = {33, 7, 32};
        float[][] x = new float[widths.length][];
        float[][] out = new float[widths.length][];
        for (int s = 0; s < widths.length; s++) {
            x[s] = random(random, groupStart[groups] * widths[s]);
            out[s] = new float[groups * widths[s]];
        }
        assertSteadyStateAllocatesNothing("meanPool", () -> {
            for (int s = 0; s < widths.length; s++) {
                backend.meanPool(groups, groupStart, widths[s], x[s], out[s]);
            }
        });
        assertSteadyStateAllocatesNothing("meanPoolBackward", () -> {
            for (int s = 0; s < widths.length; s++) {
                backend.meanPoolBackward(groups, groupStart, widths[s], out[s], x[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateSoftmaxRowsAllocatesNothing(Backend backend) {
        Random random = new Random(107);
        float[][] x = matrices(random);
        float[][] out = matrices(random);
        float[][] logSumExp = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            logSumExp[s] = new float[SHAPES[s][0]];
        }
        assertSteadyStateAllocatesNothing("softmaxRows", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.softmaxRows(SHAPES[s][0], SHAPES[s][1], x[s], out[s], logSumExp[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateSoftmaxColumnsAllocatesNothing(Backend backend) {
        Random random = new Random(108);
        float[][] x = matrices(random);
        float[][] out = matrices(random);
        float[][] logSumExp = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            logSumExp[s] = new float[SHAPES[s][1]];
        }
        assertSteadyStateAllocatesNothing("softmaxColumns", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.softmaxColumns(SHAPES[s][0], SHAPES[s][1], x[s], out[s], logSumExp[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateL2NormalizeAllocatesNothing(Backend backend) {
        Random random = new Random(109);
        float[][] x = matrices(random);
        float[][] y = matrices(random);
        float[][] dy = matrices(random);
        float[][] dx = matrices(random);
        float[][] norms = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            norms[s] = new float[SHAPES[s][0]];
        }
        // a zero row takes the clamped branch of the backward pass
        java.util.Arrays.fill(x[0], 0, SHAPES[0][1], 0f);
        assertSteadyStateAllocatesNothing("l2Normalize", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.l2Normalize(SHAPES[s][0], SHAPES[s][1], x[s], y[s], norms[s]);
            }
        });
        assertSteadyStateAllocatesNothing("l2NormalizeBackward", () -> {
            for (int s = 0; s < SHAPES.length; s++) {
                backend.l2NormalizeBackward(SHAPES[s][0], SHAPES[s][1], y[s], norms[s], dy[s], dx[s]);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void steadyStateGatherAndScatterAddAllocateNothing(Backend backend) {
        Random random = new Random(110);
        // repeated ids, and the table's last row, whose end is the array's end
        int[] ids = {4, 0, 4, 2, 1};
        int n = ids.length;
        int[] widths = {33, 7, 32};
        float[][] table = new float[widths.length][];
        float[][] out = new float[widths.length][];
        for (int s = 0; s < widths.length; s++) {
            table[s] = random(random, 5 * widths[s]);
            out[s] = random(random, n * widths[s], -1e-3f, 1e-3f);
        }
        assertSteadyStateAllocatesNothing("gather", () -> {
            for (int s = 0; s < widths.length; s++) {
                backend.gather(n, ids, widths[s], table[s], out[s]);
            }
        });
        assertSteadyStateAllocatesNothing("scatterAdd", () -> {
            for (int s = 0; s < widths.length; s++) {
                backend.scatterAdd(n, ids, widths[s], out[s], table[s]);
            }
        });
    }

    private static float[][] matrices(Random random) {
        float[][] matrices = new float[SHAPES.length][];
        for (int s = 0; s < SHAPES.length; s++) {
            matrices[s] = random(random, SHAPES[s][0] * SHAPES[s][1]);
        }
        return matrices;
    }

    private static void assertSteadyStateAllocatesNothing(String op, Runnable call) {
        assertEquals(0, steadyStateAllocation(call), "bytes allocated by 20 steady-state " + op + " calls");
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
