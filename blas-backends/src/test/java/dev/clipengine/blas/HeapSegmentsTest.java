package dev.clipengine.blas;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The segment table keeps the buffers in use and lets go of the ones no longer used. */
class HeapSegmentsTest {

    @Test
    void aBufferInUseKeepsItsSegment() {
        HeapSegments segments = new HeapSegments();
        float[] buffer = new float[8];
        MemorySegment first = segments.of(buffer, 0);
        for (int i = 0; i < 10_000; i++) {
            segments.of(new float[1], 0);
            assertSame(first, segments.of(buffer, 0), "call " + i);
        }
        assertEquals(4 * Float.BYTES, segments.of(buffer, 4).address() - first.address(), "a slice at the offset");
    }

    @Test
    void buffersNoLongerUsedAreForgotten() {
        HeapSegments segments = new HeapSegments();
        for (int i = 0; i < 300; i++) {
            segments.of(new float[3], 0);
        }
        float[] hot = new float[4];
        for (int i = 0; i < 5_000; i++) {
            segments.of(hot, 0);
        }
        // the next miss sweeps out every array unused for thousands of calls
        segments.of(new float[2], 0);
        assertEquals(2, segments.held());
    }
}
