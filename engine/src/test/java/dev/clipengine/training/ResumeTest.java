package dev.clipengine.training;

import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A run stopped after any step and continued from what a checkpoint keeps (weights, optimizer
 * state, step, data order state) takes exactly the steps of the uninterrupted run: at an epoch's
 * first step, in its middle, and on its last, while the next batch is being prefetched.
 */
class ResumeTest {

    private static final long STEPS = 30;

    @ParameterizedTest(name = "stopped after step {0}")
    @ValueSource(longs = {1, 7, 8, 13, 16, 29})
    void aResumedRunRepeatsTheUninterruptedOne(long stopAfter) {
        try (Backend backend = Backends.create("vector", 2)) {
            double[] whole = TrainingRuns.trainer(backend, "adamw", STEPS).run(r -> { });

            Trainer first = TrainingRuns.trainer(backend, "adamw", STEPS);
            StopRequest stop = new StopRequest();
            double[] before = first.run(r -> {
                if (r.step() == stopAfter) {
                    stop.request("TEST");
                }
            }, stop);
            assertEquals(stopAfter, before.length);
            var progress = first.progress();

            Trainer second = TrainingRuns.trainer(backend, "adamw", STEPS);
            for (Tensor saved : first.model().tensors()) {
                float[] target = second.model().tensor(saved.name()).data();
                System.arraycopy(saved.data(), 0, target, 0, target.length);
            }
            var moments = new java.util.LinkedHashMap<String, Tensor>();
            first.optimizer().state().forEach(t -> moments.put(t.name(), t));
            second.optimizer().restore(first.optimizer().steps(), moments, "the first run");
            second.resume((Long) progress.get("step"), Long.parseLong((String) progress.get("data_order_rng")));
            double[] after = second.run(r -> { });

            double[] joined = Arrays.copyOf(before, (int) STEPS);
            System.arraycopy(after, 0, joined, before.length, after.length);
            assertArrayEquals(whole, joined, 0.0, "losses");
        }
    }

    @ParameterizedTest(name = "turns of {0} steps")
    @ValueSource(ints = {1, 3, 8, 11})
    void aRunTakenInTurnsRepeatsTheUninterruptedOne(int turn) {
        try (Backend backend = Backends.create("vector", 2)) {
            double[] whole = TrainingRuns.trainer(backend, "adamw", STEPS).run(r -> { });
            Trainer inTurns = TrainingRuns.trainer(backend, "adamw", STEPS);
            double[] joined = new double[0];
            while (inTurns.stepsTaken() < STEPS) {
                StopRequest stop = new StopRequest();
                double[] part = inTurns.run(r -> {
                    if (r.step() % turn == 0) {
                        stop.request("TURN");
                    }
                }, stop);
                int before = joined.length;
                joined = Arrays.copyOf(joined, before + part.length);
                System.arraycopy(part, 0, joined, before, part.length);
            }
            assertArrayEquals(whole, joined, 0.0, "losses");
        }
    }
}
