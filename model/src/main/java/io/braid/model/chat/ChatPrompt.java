package io.braid.model.chat;

import io.braid.model.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A rendered conversation: text interleaved with special tokens. Keeping them apart means text that users typed
 * is never read as a control token, even if it spells one.
 *
 * @param segments the prompt in order
 */
public record ChatPrompt(List<Segment> segments) {

    /** A part of the prompt. */
    public sealed interface Segment permits Text, Special {
    }

    /** Text to tokenize as text. */
    public record Text(String text) implements Segment {
    }

    /** A special token, by its vocabulary text (such as {@code <|im_start|>}). */
    public record Special(String token) implements Segment {
    }

    public ChatPrompt {
        segments = List.copyOf(segments);
    }

    /** The whole prompt as one string (special tokens written as their text). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            sb.append(switch (s) {
                case Text t -> t.text();
                case Special sp -> sp.token();
            });
        }
        return sb.toString();
    }

    /** The special tokens the prompt uses, which must be parsed as specials when the whole {@link #text()} is encoded. */
    public Set<String> specialTokens() {
        Set<String> out = new LinkedHashSet<>();
        for (Segment s : segments) {
            if (s instanceof Special sp) {
                out.add(sp.token());
            }
        }
        return out;
    }

    /**
     * The token ids of this prompt, starting with BOS when the tokenizer asks for it. A special token the vocabulary
     * lacks is tokenized as plain text, as llama.cpp does.
     */
    public int[] encode(Tokenizer tokenizer) {
        List<int[]> parts = new ArrayList<>();
        if (tokenizer.addBos() && tokenizer.bos() >= 0) {
            parts.add(new int[] {tokenizer.bos()});
        }
        for (Segment s : segments) {
            switch (s) {
                case Text t -> parts.add(tokenizer.encode(t.text()));
                case Special sp -> {
                    OptionalInt id = tokenizer.id(sp.token());
                    parts.add(id.isPresent() ? new int[] {id.getAsInt()} : tokenizer.encode(sp.token()));
                }
            }
        }
        int n = parts.stream().mapToInt(a -> a.length).sum();
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
