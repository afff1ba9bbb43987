package dev.clipengine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clipengine.model.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** From the same seed, the native backends train as {@code vector} does, to 1e-4 relative. */
class BlasTrainingTest {

    @ParameterizedTest
    @ValueSource(strings = {"blas", "javacpp"})
    void twentyStepsMatchVector(String backend) {
        TrainingRuns.Run vector = TrainingRuns.train("vector", 2, "adamw", 20);
        TrainingRuns.Run run = TrainingRuns.train(backend, 2, "adamw", 20);
        for (int i = 0; i < 20; i++) {
            assertEquals(vector.losses()[i], run.losses()[i], 1e-4 * Math.abs(vector.losses()[i]),
                    backend + " loss at step " + (i + 1));
        }
        List<Tensor> expected = vector.model().tensors();
        List<Tensor> actual = run.model().tensors();
        for (int t = 0; t < expected.size(); t++) {
            float[] e = expected.get(t).data();
            float[] a = actual.get(t).data();
            double scale = 1e-30;
            double worst = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                worst = Math.max(worst, Math.abs(a[i] - e[i]));
            }
            assertEquals(0, worst / scale, 1e-4, backend + " " + expected.get(t).name() + " after 20 steps");
        }
    }
}
