package dev.clipengine.blas;

import java.lang.foreign.MemorySegment;

/**
 * Heap segments over the arrays a backend multiplies, made once per array and kept: the
 * segment a downcall needs is an object, and making one per product would allocate in every
 * training step, which the engine forbids once warm. The engine reuses the same buffers step
 * after step, so a small table by identity catches them. A segment holds its array, so the table
 * forgets arrays it has not seen for a while (an evaluation's scratch, say) rather than keep them
 * alive; a matrix at a non-zero offset gets a fresh slice of its array's segment.
 */
final class HeapSegments {

    /** A power of two, many times a training step's ~25 arrays so that probes stay short. */
    private static final int SLOTS = 512;
    /** Slots looked at from an array's home slot: identity hashes collide, a step must not evict itself. */
    private static final int PROBES = 8;
    /** Calls after which an unused array is forgotten: dozens of training steps' worth. */
    private static final long MAX_AGE = 4L * SLOTS;

    private final float[][] arrays = new float[SLOTS][];
    private final MemorySegment[] segments = new MemorySegment[SLOTS];
    private final long[] lastUsed = new long[SLOTS];
    private long calls;

    MemorySegment of(float[] array, int offset) {
        MemorySegment segment = cached(array);
        return offset == 0 ? segment : segment.asSlice(offset * (long) Float.BYTES);
    }

    private MemorySegment cached(float[] array) {
        calls++;
        int home = System.identityHashCode(array) & (SLOTS - 1);
        for (int probe = 0; probe < PROBES; probe++) {
            int slot = (home + probe) & (SLOTS - 1);
            if (arrays[slot] == array) {
                lastUsed[slot] = calls;
                return segments[slot];
            }
        }
        // a miss is rare once training is warm, so it may afford a sweep of the stale entries
        forgetStale();
        int slot = home;
        for (int probe = 0; probe < PROBES; probe++) {
            int candidate = (home + probe) & (SLOTS - 1);
            if (arrays[candidate] == null) {
                slot = candidate;
                break;
            }
            if (lastUsed[candidate] < lastUsed[slot]) {
                slot = candidate;
            }
        }
        MemorySegment segment = MemorySegment.ofArray(array);
        arrays[slot] = array;
        segments[slot] = segment;
        lastUsed[slot] = calls;
        return segment;
    }

    /** Arrays the table holds now. */
    int held() {
        int count = 0;
        for (float[] array : arrays) {
            count += array == null ? 0 : 1;
        }
        return count;
    }

    private void forgetStale() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (arrays[slot] != null && calls - lastUsed[slot] > MAX_AGE) {
                arrays[slot] = null;
                segments[slot] = null;
            }
        }
    }
}
