package dev.clipengine.blas;

import java.lang.foreign.MemorySegment;

/**
 * Heap segments over the arrays a backend multiplies, made once per array and kept: the
 * segment a downcall needs is an object, and making one per product would allocate in every
 * training step, which the engine forbids once warm. The engine reuses the same buffers step
 * after step, so a small direct-mapped table by identity catches them; a matrix at a non-zero
 * offset (only the tests use them) gets a fresh slice.
 */
final class HeapSegments {

    private static final int SLOTS = 256;

    private final float[][] arrays = new float[SLOTS][];
    private final MemorySegment[] segments = new MemorySegment[SLOTS];

    MemorySegment of(float[] array, int offset) {
        int slot = System.identityHashCode(array) & (SLOTS - 1);
        MemorySegment segment;
        if (arrays[slot] == array) {
            segment = segments[slot];
        } else {
            segment = MemorySegment.ofArray(array);
            arrays[slot] = array;
            segments[slot] = segment;
        }
        return offset == 0 ? segment : segment.asSlice(offset * (long) Float.BYTES);
    }
}
