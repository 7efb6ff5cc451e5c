package io.braid.model.tokenizer;

/**
 * Merge rank by the token ids of the two sides, an open-addressing map from (left id, right id) to the lowest rank:
 * the BPE loop asks for it at every adjacent pair, and ids avoid building "left right" strings.
 */
final class PairRanks {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int mask;

    PairRanks(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        java.util.Arrays.fill(keys, EMPTY);
        ranks = new int[cap];
        mask = cap - 1;
    }

    /** Records {@code rank} for the pair unless a lower rank is already there. */
    void put(int left, int right, int rank) {
        long k = key(left, right);
        int slot = slot(k);
        while (keys[slot] != EMPTY && keys[slot] != k) {
            slot = (slot + 1) & mask;
        }
        if (keys[slot] == EMPTY) {
            keys[slot] = k;
            ranks[slot] = rank;
        } else {
            ranks[slot] = Math.min(ranks[slot], rank);
        }
    }

    /** The rank of the pair, or -1 if the pair does not merge. */
    int get(int left, int right) {
        long k = key(left, right);
        int slot = slot(k);
        long found;
        while ((found = keys[slot]) != EMPTY) {
            if (found == k) {
                return ranks[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
