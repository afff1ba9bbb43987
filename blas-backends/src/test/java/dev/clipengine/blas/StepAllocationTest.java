package dev.clipengine.blas;

import dev.clipengine.training.WarmStepAllocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A warm training step on OpenBLAS allocates nothing on the training thread or the Java worker
 * pool's threads either: the heap segments its downcalls take are made once per buffer and found
 * again every step. (OpenBLAS's own threads are native and allocate no Java memory.)
 */
class StepAllocationTest {

    @ParameterizedTest(name = "{0} {1}")
    // the optimizers are the vector backend's own kernels, tested with both optimizers in the engine
    @CsvSource({"blas, adamw", "javacpp, adamw"})
    void aWarmStepAllocatesNothing(String backend, String optimizer) {
        WarmStepAllocation.Allocation last = WarmStepAllocation.lastStep(backend, optimizer);
        assertEquals(1, last.workers(), "the Java pool's worker threads beside the training thread");
        assertEquals(0, last.callerBytes(), "bytes the training thread allocated in a late step of 3000");
        assertEquals(0, last.workerBytes(), "bytes the pool's threads allocated in a late step of 3000");
    }
}
