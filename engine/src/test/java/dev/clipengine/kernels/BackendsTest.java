package dev.clipengine.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The collectors told apart by their memory managers' names, as HotSpot gives them. */
class BackendsTest {

    @Test
    void serialAndParallelAreKnownByEitherOfTheirManagersAndNothingElseIs() {
        assertEquals("Serial", Backends.collectorOf("Copy"));
        assertEquals("Serial", Backends.collectorOf("MarkSweepCompact"));
        assertEquals("Parallel", Backends.collectorOf("PS Scavenge"));
        assertEquals("Parallel", Backends.collectorOf("PS MarkSweep"));
        for (String other : new String[] {"G1 Young Generation", "G1 Old Generation", "G1 Concurrent GC",
                "ZGC Minor Cycles", "ZGC Major Pauses", "Shenandoah Cycles", "Epsilon Heap"}) {
            assertNull(Backends.collectorOf(other), other);
        }
    }
}
