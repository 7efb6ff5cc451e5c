package io.braid.gateway.api;

import java.util.List;

/**
 * Cuts generated text at the first stop sequence, incrementally: text that could still turn out to be the
 * start of a stop sequence is held back, so a stream never shows a partial stop sequence and the stop text
 * itself is never emitted. Not thread-safe: one per generation.
 */
final class StopSequences {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopSequences(List<String> stops) {
        for (String s : stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop sequences must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** True once a stop sequence has been seen; nothing more will be emitted. */
    boolean stopped() {
        return stopped;
    }

    /** Adds newly decoded text; returns the part that is now safe to emit (possibly empty). */
    String push(String text) {
        if (stopped) {
            return "";
        }
        held.append(text);
        int first = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The generation ended without a stop sequence: releases what was held back. */
    String finish() {
        if (stopped) {
            return "";
        }
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    private int longestSuffixThatStartsAStop() {
        String h = held.toString();
        int best = 0;
        for (String s : stops) {
            int max = Math.min(s.length() - 1, h.length());
            for (int k = max; k > best; k--) {
                if (h.regionMatches(h.length() - k, s, 0, k)) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }
}
