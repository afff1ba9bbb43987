package dev.clipengine.text;

import java.util.Arrays;

/**
 * The merges by the pair of symbol ids they join: each pair's rank (its line in the merges file,
 * the lower the earlier it is applied) and the id of the symbol it makes. Open addressing on
 * primitive arrays, since the BPE loop looks up every adjacent pair of a word at every step.
 */
final class MergeTable {

    private static final long EMPTY = -1;

    private final long[] keys;
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private int size;

    MergeTable(int expectedMerges) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedMerges) * 2 - 1) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        merged = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds or, as Python's dict does for a pair listed twice, replaces the pair's merge. */
    void put(int first, int second, int rank, int mergedId) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("more merges than the " + keys.length / 2 + " the table was made for");
        }
        int slot = slot(key(first, second));
        if (keys[slot] == EMPTY) {
            keys[slot] = key(first, second);
            size++;
        }
        ranks[slot] = rank;
        merged[slot] = mergedId;
    }

    /** The slot of the pair's merge, or -1 when the pair is never merged. */
    int find(int first, int second) {
        int slot = slot(key(first, second));
        return keys[slot] == EMPTY ? -1 : slot;
    }

    int rank(int slot) {
        return ranks[slot];
    }

    int merged(int slot) {
        return merged[slot];
    }

    private int slot(long key) {
        int slot = (int) mix(key) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static long key(int first, int second) {
        return ((long) first << 32) | (second & 0xFFFFFFFFL);
    }

    /** A 64-bit finalizer (MurmurHash3's), so consecutive ids do not fill consecutive slots. */
    private static long mix(long key) {
        key ^= key >>> 33;
        key *= 0xff51afd7ed558ccdL;
        key ^= key >>> 33;
        key *= 0xc4ceb9fe1a85ec53L;
        return key ^ (key >>> 33);
    }
}
