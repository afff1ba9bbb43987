package dev.clipengine.kernels;

import static dev.clipengine.kernels.KernelTesting.AWKWARD_SIZES;
import static dev.clipengine.kernels.KernelTesting.REFERENCE;
import static dev.clipengine.kernels.KernelTesting.assertClose;
import static dev.clipengine.kernels.KernelTesting.depthTolerance;
import static dev.clipengine.kernels.KernelTesting.random;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Embedding lookups and their gradient, with repeated ids. */
class EmbeddingOpsTest {

    @ParameterizedTest
    @MethodSource("dev.clipengine.kernels.KernelTesting#backendsUnderTest")
    void gatherAndScatterAddWithRepeatedIds(Backend backend) {
        Random random = new Random(31);
        for (int cols : AWKWARD_SIZES) {
            for (int n : new int[] {1, 13, 64}) {
                int tableRows = 11;
                int[] ids = new int[n + 3];
                for (int i = 0; i < ids.length; i++) {
                    // a small table so that ids repeat, and their gradients must add up in order
                    ids[i] = random.nextInt(tableRows);
                }
                String what = backend.name() + " n " + n + " cols " + cols;
                float[] table = random(random, tableRows * cols);
                float[] expected = random(random, n * cols + 4);
                float[] actual = expected.clone();
                REFERENCE.gather(n, ids, cols, table, expected);
                backend.gather(n, ids, cols, table, actual);
                KernelTesting.assertBitwiseEqual("gather " + what, expected, actual);

                float[] dOut = random(random, n * cols);
                float[] expectedTable = random(random, tableRows * cols);
                float[] actualTable = expectedTable.clone();
                REFERENCE.scatterAdd(n, ids, cols, dOut, expectedTable);
                backend.scatterAdd(n, ids, cols, dOut, actualTable);
                assertClose("scatterAdd " + what, expectedTable, actualTable, depthTolerance(n));
            }
        }
    }
}
