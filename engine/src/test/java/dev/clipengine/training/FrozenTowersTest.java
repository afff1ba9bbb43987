package dev.clipengine.training;

import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.ScalarBackend;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Locked towers (open_clip's {@code --lock-image} / {@code --lock-text}): the locked tower's
 * tensors stay bit for bit, hold no optimizer state and get no backward pass, while the other
 * tower trains exactly as it would with nothing locked.
 */
class FrozenTowersTest {

    static Stream<Object[]> cases() {
        return Stream.of(ModelConfigCase.values()).flatMap(c -> Stream.of(
                new Object[] {c, FrozenPart.IMAGE_TOWER}, new Object[] {c, FrozenPart.TEXT_TOWER}));
    }

    enum ModelConfigCase {
        MLP(TrainingRuns.CONFIG), TRANSFORMER(WarmStepAllocation.TRANSFORMER);

        final ModelConfig config;

        ModelConfigCase(ModelConfig config) {
            this.config = config;
        }
    }

    private static Trainer trainer(ModelConfig config, Set<FrozenPart> frozen, int steps) {
        PairDataset data = ShapesDataset.generate(config.imageSize(), config.channels(), 3, 64, 0);
        Vocabulary words = config.vocabularyFor(Vocabulary.fromCaptions(
                data.train().stream().map(e -> e.caption()).toList()));
        ClipModel model = ClipModel.initialize(config.withVocabSize(words.size()), words, 5);
        TrainingOptions options = new TrainingOptions(steps, 0, 16, 1e-3, "adamw", 0f, 0.1f, 0.9, 0.98, 1e-6f, 1, true,
                "constant", -1, 0, 0, frozen);
        return new Trainer(ClipGraph.create(model, new ScalarBackend(), 16),
                new EncodedPairs(model.config(), words, data.train(), "shapes"), options);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aLockedTowerStaysAsItIsAndTheOtherTrainsAsIfNothingWereLocked(ModelConfigCase c, FrozenPart locked) {
        Trainer lockedRun = trainer(c.config, EnumSet.of(locked), 3);
        Map<String, float[]> before = new HashMap<>();
        for (Tensor t : lockedRun.model().tensors()) {
            before.put(t.name(), t.data().clone());
        }
        lockedRun.run(report -> { });

        int lockedTensors = 0;
        for (Tensor t : lockedRun.model().tensors()) {
            if (locked.holds(t.name())) {
                lockedTensors++;
                assertArrayEquals(before.get(t.name()), t.data(), t.name() + " is locked");
                assertTrue(lockedRun.optimizer().state().stream().noneMatch(s -> s.name().split("\\.", 3)[2].equals(t.name())),
                        t.name() + " has optimizer state");
            } else {
                assertFalse(Arrays.equals(before.get(t.name()), t.data()), t.name() + " should train");
            }
        }
        assertTrue(lockedTensors > 3, "the tower has its tensors");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void noBackwardPassReachesALockedTowerAndTheOtherGetsTheSameGradients(ModelConfigCase c, FrozenPart locked) {
        Trainer reference = trainer(c.config, Set.of(), 1);
        Trainer lockedRun = trainer(c.config, EnumSet.of(locked), 1);
        ClipGraph graph = graphOf(lockedRun);
        ClipGraph free = graphOf(reference);
        // a NaN left in a locked gradient shows the backward pass never wrote it
        for (Tensor g : graph.gradients().tensors()) {
            if (locked.holds(g.name())) {
                Arrays.fill(g.data(), Float.NaN);
            }
        }
        lockedRun.run(report -> { });
        reference.run(report -> { });
        for (Tensor g : graph.gradients().tensors()) {
            if (locked.holds(g.name())) {
                assertTrue(Float.isNaN(g.data()[0]), g.name() + " was back-propagated into");
            } else {
                assertArrayEquals(free.gradients().get(g.name()).data(), g.data(), g.name());
            }
        }
        assertEquals(1, lockedRun.stepsTaken());
    }

    private static ClipGraph graphOf(Trainer trainer) {
        return trainer.graph();
    }
}
