package io.braid.model.tokenizer;

/**
 * The doubly linked chain of symbols that both BPE encoders merge pair by pair: per symbol its length and its
 * neighbours' indices ({@code -1}: none). A merged-away symbol keeps length 0, which marks queued pairs stale.
 */
final class SymbolChain {
    private SymbolChain() {
    }

    /** Merges symbol {@code right} into its left neighbour {@code left}, which takes over its length and next link. */
    static void absorb(int[] len, int[] prev, int[] next, int left, int right) {
        len[left] += len[right];
        len[right] = 0;
        next[left] = next[right];
        if (next[right] >= 0) {
            prev[next[right]] = left;
        }
    }
}
