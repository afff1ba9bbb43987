package dev.clipengine.blas;

import dev.clipengine.training.WarmStepAllocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A warm training step on OpenBLAS allocates nothing on the training thread either: the heap
 * segments its downcalls take are made once per buffer and found again every step.
 */
class StepAllocationTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"blas, adamw", "blas, sgd", "javacpp, adamw"})
    void aWarmStepAllocatesNothing(String backend, String optimizer) {
        assertEquals(0, WarmStepAllocation.lastStepBytes(backend, optimizer), "bytes allocated by the last of 3000 steps");
    }
}
