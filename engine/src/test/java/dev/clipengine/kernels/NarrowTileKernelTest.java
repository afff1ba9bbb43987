package dev.clipengine.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collectors under which the tile kernel takes 4 rows, told apart by their memory managers'
 * names as HotSpot gives them. (That both heights give the same bits is SgemmTest's and
 * AttentionTest's; which height a JVM chooses, the command line's CollectorTileTest.)
 */
class NarrowTileKernelTest {

    @Test
    void serialAndParallelAreKnownByEitherOfTheirManagersAndNothingElseIs() {
        for (String serialOrParallel : new String[] {"Copy", "MarkSweepCompact", "PS Scavenge", "PS MarkSweep"}) {
            assertTrue(NarrowTileKernel.spillProneCollector(serialOrParallel), serialOrParallel);
        }
        for (String other : new String[] {"G1 Young Generation", "G1 Old Generation", "G1 Concurrent GC",
                "ZGC Minor Cycles", "ZGC Major Pauses", "Shenandoah Cycles", "Epsilon Heap"}) {
            assertFalse(NarrowTileKernel.spillProneCollector(other), other);
        }
    }
}
