package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A NaN that reaches a step: the step is not applied, and training stops at once, or after the
 * allowed number of skipped steps (docs/model.md: a skipped step counts but changes nothing).
 */
class NonFiniteTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void aNonFiniteStepIsNotAppliedAndStopsAfterTheAllowance(int allowance) {
        PairDataset data = ShapesDataset.generate(TrainingRuns.CONFIG.imageSize(), TrainingRuns.CONFIG.channels(), 2, 64, 0);
        Vocabulary vocabulary = Vocabulary.fromCaptions(data.train().stream().map(e -> e.caption()).toList());
        ClipModel model = ClipModel.initialize(TrainingRuns.CONFIG.withVocabSize(vocabulary.size()), vocabulary, 3);
        TrainingOptions options = new TrainingOptions(20, 0, 16, 1e-3, "adamw", 0f, 0.1f, 0.9, 0.98, 1e-6f, 1, true,
                "constant", -1, 0, allowance, java.util.Set.of());
        Trainer trainer = new Trainer(ClipGraph.create(model, new ScalarBackend(), 16),
                new EncodedPairs(model.config(), vocabulary, data.train(), "shapes"), options);
        Map<String, float[]> afterPoisoning = new HashMap<>();
        NonFiniteException stop = assertThrows(NonFiniteException.class, () -> trainer.run(report -> {
            if (report.step() == 5) {
                // the poison: one NaN in the image encoder's bias reaches every later forward pass
                model.tensor(ClipModel.IMAGE_ENCODER_BIAS).data()[0] = Float.NaN;
                for (Tensor t : model.tensors()) {
                    afterPoisoning.put(t.name(), t.data().clone());
                }
            }
        }));
        assertEquals(6 + allowance, stop.step(), stop.getMessage());
        assertTrue(stop.getMessage().contains("is not finite") && stop.getMessage().contains("step " + stop.step()),
                stop.getMessage());
        assertEquals(allowance, trainer.skippedSteps());
        assertEquals(5 + allowance, trainer.stepsTaken(), "skipped steps count as steps");
        assertEquals(5, trainer.optimizer().steps(), "but the optimizer never stepped again");
        for (Tensor t : model.tensors()) {
            assertArrayEquals(afterPoisoning.get(t.name()), t.data(), t.name() + " is untouched by the refused steps");
        }
    }
}
