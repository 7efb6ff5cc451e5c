package io.braid.model.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts text at the occurrences of special tokens, as llama.cpp's {@code tokenizer_st_partition} does: tokens are
 * tried longest first, each one splitting every remaining text fragment at all its occurrences. User-defined
 * tokens always split; control and unknown tokens only when special tokens are parsed.
 */
final class SpecialTokenSplitter {

    /** A piece of the input: either text to tokenize ({@code id == -1}) or one special token. */
    record Fragment(String text, int id) {
        boolean isToken() {
            return id >= 0;
        }
    }

    private record Special(String text, int id, boolean always) { }

    private final List<Special> specials;

    /**
     * @param texts the text that stands for each token in input (usually its vocabulary entry)
     * @param types the token types
     */
    SpecialTokenSplitter(String[] texts, TokenType[] types) {
        String[] pieces = texts;
        List<Special> list = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            TokenType t = types[i];
            if (pieces[i].isEmpty()) {
                continue;
            }
            if (t == TokenType.USER_DEFINED) {
                list.add(new Special(pieces[i], i, true));
            } else if (t == TokenType.CONTROL || t == TokenType.UNKNOWN) {
                list.add(new Special(pieces[i], i, false));
            }
        }
        list.sort(Comparator.comparingInt((Special s) -> -s.text().length()).thenComparingInt(Special::id));
        this.specials = List.copyOf(list);
    }

    /** The id of the special token whose input text is {@code text}, or null. */
    Integer idOf(String text) {
        for (Special s : specials) {
            if (s.text().equals(text)) {
                return s.id();
            }
        }
        return null;
    }

    /** {@code text} as fragments in order; no fragment is empty text. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (!text.isEmpty()) {
            frags.add(new Fragment(text, -1));
        }
        for (Special s : specials) {
            if (!s.always() && !parseSpecial) {
                continue;
            }
            List<Fragment> next = null;
            for (int f = 0; f < frags.size(); f++) {
                Fragment frag = frags.get(f);
                int at = frag.isToken() ? -1 : frag.text().indexOf(s.text());
                if (at < 0) {
                    if (next != null) {
                        next.add(frag);
                    }
                    continue;
                }
                if (next == null) {
                    next = new ArrayList<>(frags.subList(0, f));
                }
                String t = frag.text();
                int from = 0;
                while (at >= 0) {
                    if (at > from) {
                        next.add(new Fragment(t.substring(from, at), -1));
                    }
                    next.add(new Fragment(s.text(), s.id()));
                    from = at + s.text().length();
                    at = t.indexOf(s.text(), from);
                }
                if (from < t.length()) {
                    next.add(new Fragment(t.substring(from), -1));
                }
            }
            if (next != null) {
                frags = next;
            }
        }
        return frags;
    }

    /** Fails on text that is not valid Unicode (a lone surrogate), which has no UTF-8 encoding to tokenize. */
    static void checkText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new IllegalArgumentException("text is not valid Unicode: lone high surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("text is not valid Unicode: lone low surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
        }
    }
}
