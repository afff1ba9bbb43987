package dev.clipengine.spark;

import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on Spark ({@code local[2]}, 4 partitions) against the same steps in one process: the
 * same loss at every step and the same final weights, but for the order of the sums over
 * partitions; and a task that fails and is retried changes nothing.
 */
class SparkTrainingTest {

    private static final int STEPS = 20;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "transformer"})
    void sparkTrainsAsOneProcessDoes(String family) {
        ModelConfig config = family.equals("mlp") ? TestRuns.MLP : TestRuns.TRANSFORMER;
        TestRuns.Run expected = TestRuns.inProcess(config, STEPS);
        TestRuns.Run spark = TestRuns.onSpark(config, STEPS, TaskHook.NONE);
        System.out.println(family + ": " + spark.times());

        assertEquals(STEPS, spark.losses().length);
        for (int step = 0; step < STEPS; step++) {
            double want = expected.losses()[step];
            assertEquals(want, spark.losses()[step], 1e-5 * Math.abs(want), "loss of step " + (step + 1));
        }
        assertTrue(expected.losses()[STEPS - 1] < expected.losses()[0] - 0.05, "the runs learn something");
        List<Tensor> want = expected.model().tensors();
        List<Tensor> got = spark.model().tensors();
        for (int t = 0; t < want.size(); t++) {
            float[] a = want.get(t).data();
            float[] b = got.get(t).data();
            double scale = 0;
            double error = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                error = Math.max(error, Math.abs(a[i] - b[i]));
            }
            assertTrue(error <= 1e-4 * Math.max(1, scale), want.get(t).name() + ": max difference " + error);
        }
    }

    /** Failures injected by {@link #failOnce}, counted here: executors share this JVM in local mode. */
    private static final AtomicInteger INJECTED = new AtomicInteger();

    /** Fails the first attempt of an encode task of step 3 and of a backward task of step 7. */
    private static void failOnce(String phase, long version, int partition) {
        boolean chosen = (phase.equals("encode") && version == 3 && partition == 1)
                || (phase.equals("backward") && version == 7 && partition == 2);
        if (chosen && TaskContext.get().attemptNumber() == 0) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected failure of " + phase + " task " + partition + " of step "
                    + version);
        }
    }

    @Test
    void aRetriedTaskChangesNothing() {
        TestRuns.Run clean = TestRuns.onSpark(TestRuns.MLP, 10, TaskHook.NONE);
        INJECTED.set(0);
        TestRuns.Run retried = TestRuns.onSpark(TestRuns.MLP, 10, SparkTrainingTest::failOnce);

        assertEquals(2, INJECTED.get(), "both injected failures happened, and were retried");
        assertArrayEquals(clean.losses(), retried.losses());
        for (int t = 0; t < clean.model().tensors().size(); t++) {
            assertArrayEquals(clean.model().tensors().get(t).data(), retried.model().tensors().get(t).data(),
                    clean.model().tensors().get(t).name());
        }
    }
}
