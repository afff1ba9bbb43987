package dev.clipengine.blas;

import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;

/**
 * Heap segments over the arrays a backend multiplies, made once per array and kept: the
 * segment a downcall needs is an object, and making one per product would allocate in every
 * training step, which the engine forbids once warm. The engine reuses the same buffers step
 * after step, so a small table by identity catches them. Arrays are held weakly, so that one
 * product's scratch array is not kept alive by the table; a matrix at a non-zero offset gets a
 * fresh slice of its array's segment.
 */
final class HeapSegments {

    /** A power of two, several times a training step's ~25 arrays so that probes stay short. */
    private static final int SLOTS = 512;
    /** Slots looked at from an array's home slot: identity hashes collide, a step must not evict itself. */
    private static final int PROBES = 8;

    @SuppressWarnings("unchecked")
    private final WeakReference<float[]>[] arrays = new WeakReference[SLOTS];
    private final MemorySegment[] segments = new MemorySegment[SLOTS];
    /** Where the next eviction goes when every probed slot is taken, so that no one slot thrashes. */
    private int nextVictim;

    MemorySegment of(float[] array, int offset) {
        MemorySegment segment = cached(array);
        return offset == 0 ? segment : segment.asSlice(offset * (long) Float.BYTES);
    }

    private MemorySegment cached(float[] array) {
        int home = System.identityHashCode(array) & (SLOTS - 1);
        int free = -1;
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = (home + probe) & (SLOTS - 1);
            WeakReference<float[]> held = arrays[slot];
            float[] kept = held == null ? null : held.get();
            if (kept == array) {
                return segments[slot];
            }
            if (kept == null && free < 0) {
                free = slot;
            }
        }
        int slot = free >= 0 ? free : (home + (nextVictim++ & (PROBES - 1))) & (SLOTS - 1);
        MemorySegment segment = MemorySegment.ofArray(array);
        arrays[slot] = new WeakReference<>(array);
        segments[slot] = segment;
        return segment;
    }
}
