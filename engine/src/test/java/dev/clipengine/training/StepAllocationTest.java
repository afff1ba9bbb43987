package dev.clipengine.training;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A warm training step (forward, backward, optimizer update) allocates nothing, neither on the
 * training thread nor on the compute pool's threads it shares products and updates with.
 */
class StepAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd"})
    void aWarmStepAllocatesNothing(String optimizerName) {
        WarmStepAllocation.Allocation last = WarmStepAllocation.lastStep("vector", optimizerName);
        assertEquals(1, last.workers(), "the pool's worker threads beside the training thread");
        assertEquals(0, last.callerBytes(), "bytes the training thread allocated in a late step of 3000");
        assertEquals(0, last.workerBytes(), "bytes the pool's threads allocated in a late step of 3000");
    }

    @org.junit.jupiter.api.Test
    void aWarmTransformerStepAllocatesNothing() {
        WarmStepAllocation.Allocation last = WarmStepAllocation.lastStep(WarmStepAllocation.TRANSFORMER, "vector",
                "adamw");
        assertEquals(1, last.workers(), "the pool's worker threads beside the training thread");
        assertEquals(0, last.callerBytes(), "bytes the training thread allocated in a late step of 3000");
        assertEquals(0, last.workerBytes(), "bytes the pool's threads allocated in a late step of 3000");
    }
}
