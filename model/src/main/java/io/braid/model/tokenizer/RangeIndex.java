package io.braid.model.tokenizer;

import java.util.Arrays;

/**
 * String to id, looked up by a range of a larger string without creating a substring: the merge loops ask "is this
 * slice a vocabulary entry?" millions of times on long texts. Open addressing, immutable after construction.
 */
final class RangeIndex {

    private final String[] keys;
    private final int[] ids;
    private final int mask;
    private final int maxLength;

    /**
     * @param entries  the keys; entry i maps to id i
     * @param lastWins for a key given twice, map it to the last id (llama.cpp's token_to_id) rather than the first
     */
    RangeIndex(String[] entries, boolean lastWins) {
        int cap = Integer.highestOneBit(Math.max(4, entries.length * 2 - 1)) << 1;
        keys = new String[cap];
        ids = new int[cap];
        mask = cap - 1;
        int max = 0;
        for (int id = 0; id < entries.length; id++) {
            String k = entries[id];
            max = Math.max(max, k.length());
            int slot = hash(k, 0, k.length()) & mask;
            while (keys[slot] != null && !keys[slot].equals(k)) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == null || lastWins) {
                keys[slot] = k;
                ids[slot] = id;
            }
        }
        maxLength = max;
    }

    /** The id of {@code s[from, from+len)}, or -1. */
    int get(String s, int from, int len) {
        if (len > maxLength) {
            return -1;
        }
        int slot = hash(s, from, len) & mask;
        String k;
        while ((k = keys[slot]) != null) {
            if (k.length() == len && s.regionMatches(from, k, 0, len)) {
                return ids[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** The id of {@code s}, or -1. */
    int get(String s) {
        return get(s, 0, s.length());
    }

    private static int hash(String s, int from, int len) {
        int h = 0;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16) ^ (h >>> 7);
    }

    @Override
    public String toString() {
        return "RangeIndex[" + Arrays.stream(keys).filter(k -> k != null).count() + " keys]";
    }
}
