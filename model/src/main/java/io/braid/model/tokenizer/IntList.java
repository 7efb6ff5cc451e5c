package io.braid.model.tokenizer;

import java.util.Arrays;

/** A growable int array, to collect token ids without boxing. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(capacity, 4)];
    }

    void add(int v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = v;
    }

    void addAll(int[] vs) {
        for (int v : vs) {
            add(v);
        }
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
