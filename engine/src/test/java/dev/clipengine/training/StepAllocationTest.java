package dev.clipengine.training;

import dev.clipengine.data.Batch;
import dev.clipengine.data.EncodedPairs;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.ShapesDataset;
import dev.clipengine.kernels.Backend;
import dev.clipengine.kernels.Backends;
import dev.clipengine.model.ClipGraph;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.Tensor;
import dev.clipengine.model.Vocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A warm training step (forward, backward, optimizer update) allocates nothing on the training thread. */
class StepAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd"})
    void aWarmStepAllocatesNothing(String optimizerName) {
        assertEquals(0, WarmStepAllocation.lastStepBytes("vector", optimizerName), "bytes allocated by the last of "
                + "3000 steps");
    }
}
