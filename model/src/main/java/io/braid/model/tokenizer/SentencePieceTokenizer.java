package io.braid.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE over a scored vocabulary (GGUF {@code tokenizer.ggml.model = llama}; llama2.c
 * {@code tokenizer.bin}): start from single characters, repeatedly merge the adjacent pair whose concatenation is
 * the highest-scoring vocabulary entry (leftmost on ties), and spell characters missing from the vocabulary as
 * {@code <0xXX>} byte tokens.
 *
 * <p>Two reference implementations disagree on edge cases, so both are reproduced exactly and chosen with
 * {@link Flavor}: llama2.c's {@code run.c encode()} and llama.cpp's {@code llm_tokenizer_spm}.
 */
public final class SentencePieceTokenizer implements Tokenizer {

    /** Which reference encoder to reproduce. */
    public enum Flavor {
        /**
         * llama2.c run.c: a dummy-prefix space token always leads non-empty text, characters are looked up one
         * code point at a time and replaced by byte tokens (id = byte + 3) <em>before</em> merging, pairs merge only
         * with a score above -1e10, and text ends at the first NUL character.
         */
        RUN_C,
        /**
         * llama.cpp: a space is prepended only if the vocabulary asks for it ({@code add_space_prefix}, default
         * true), spaces become '▁', merging runs on characters and missing characters fall back to
         * {@code <0xXX>} tokens afterwards.
         */
        LLAMA_CPP
    }

    private static final String SPACE_MARKER = "\u2581";
    private static final String SPACE_MARKER_BYTES = latin1(SPACE_MARKER.getBytes(StandardCharsets.UTF_8));

    private final String[] pieces;
    private final String[] keys;          // raw UTF-8 bytes of each entry, one char per byte (ISO-8859-1)
    private final float[] scores;
    private final TokenType[] types;
    private final RangeIndex idByKey;
    private final boolean spaceMarker;    // the vocabulary writes space as '▁' (GGUF) rather than ' ' (llama2.c)
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean addSpacePrefix;
    private final Flavor flavor;
    private final int[] byteTokens;
    private final String[] specialTexts;
    private final SpecialTokenSplitter splitter;

    /**
     * A tokenizer over raw vocabulary entries.
     *
     * @param pieceBytes     each entry's bytes as stored in the file (UTF-8 text)
     * @param scores         merge scores, one per entry
     * @param types          entry types, one per entry
     * @param specialTexts   the text that stands for each entry in input when it is a special token
     * @param bos            BOS id or -1
     * @param eos            EOS id or -1
     * @param unk            unknown-token id or -1
     * @param addBos         whether prompts start with BOS
     * @param addSpacePrefix whether llama.cpp's encoder prepends a space (ignored by {@link Flavor#RUN_C})
     * @param flavor         the reference encoder to reproduce
     */
    SentencePieceTokenizer(byte[][] pieceBytes, float[] scores, TokenType[] types, String[] specialTexts,
                           int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix, Flavor flavor) {
        int n = pieceBytes.length;
        this.pieces = new String[n];
        this.keys = new String[n];
        boolean marker = false;
        for (int i = 0; i < n; i++) {
            pieces[i] = new String(pieceBytes[i], StandardCharsets.UTF_8);
            keys[i] = latin1(pieceBytes[i]);
            marker |= keys[i].contains(SPACE_MARKER_BYTES);
        }
        // duplicate entries: llama.cpp's map keeps the last id; run.c's binary search finds either, we take the first
        this.idByKey = new RangeIndex(keys, flavor == Flavor.LLAMA_CPP);
        this.scores = scores;
        this.types = types;
        this.spaceMarker = marker;
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addBos = addBos;
        this.addSpacePrefix = addSpacePrefix;
        this.flavor = flavor;
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            if (flavor == Flavor.RUN_C) {
                byteTokens[b] = b + 3 < n ? b + 3 : unk;   // run.c hard-codes the first 3 ids as <unk>, <s>, </s>
            } else {
                int id = idByKey.get(String.format("<0x%02X>", b));
                if (id < 0) {
                    id = idByKey.get(String.valueOf((char) b));
                }
                byteTokens[b] = id >= 0 ? id : unk;
            }
        }
        this.specialTexts = specialTexts;
        this.splitter = new SpecialTokenSplitter(specialTexts, types);
    }

    /** This vocabulary with the other reference encoder. */
    public SentencePieceTokenizer withFlavor(Flavor other) {
        if (other == flavor) {
            return this;
        }
        byte[][] raw = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            raw[i] = keys[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return new SentencePieceTokenizer(raw, scores, types, specialTexts, bos, eos, unk, addBos, addSpacePrefix, other);
    }

    public Flavor flavor() {
        return flavor;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bos() {
        return bos;
    }

    @Override
    public int eos() {
        return eos;
    }

    @Override
    public boolean addBos() {
        return addBos;
    }

    /** The merge score of token {@code id}. */
    public float score(int id) {
        return scores[checkId(id)];
    }

    @Override
    public String piece(int id) {
        return pieces[checkId(id)];
    }

    @Override
    public TokenType type(int id) {
        return types[checkId(id)];
    }

    /** The id of {@code piece}; a control token is also found by its input text (llama2.c's "\n<s>\n" by "<s>"). */
    @Override
    public OptionalInt id(String piece) {
        int id = idByKey.get(latin1(piece.getBytes(StandardCharsets.UTF_8)));
        if (id >= 0) {
            return OptionalInt.of(id);
        }
        Integer special = splitter.idOf(piece);
        return special == null ? OptionalInt.empty() : OptionalInt.of(special);
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        SpecialTokenSplitter.checkText(text);
        IntList out = new IntList(text.length() + 4);
        for (SpecialTokenSplitter.Fragment f : splitter.split(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.id());
            } else if (flavor == Flavor.RUN_C) {
                encodeRunC(f.text(), out);
            } else {
                encodeLlamaCpp(f.text(), out);
            }
        }
        return out.toArray();
    }

    /** run.c's encode() for one piece of text (without BOS/EOS). */
    private void encodeRunC(String text, IntList out) {
        int nul = text.indexOf('\0');
        String t = nul >= 0 ? text.substring(0, nul) : text;   // run.c reads a C string
        if (t.isEmpty()) {
            return;
        }
        byte[] bytes = escapeSpaces(t).getBytes(StandardCharsets.UTF_8);
        Symbols syms = new Symbols(bytes.length + 1);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        String src = latin1(bytes);
        int prefix = idByKey.get(spaceMarker ? SPACE_MARKER_BYTES : " ");
        if (prefix >= 0) {
            syms.add(sb, keys[prefix], prefix);
        }
        int i = 0;
        while (i < bytes.length) {
            // a code point: a lead byte plus up to 3 continuation bytes, as run.c groups them
            int j = i + 1;
            while (j < bytes.length && (bytes[j] & 0xC0) == 0x80 && j - i < 4) {
                j++;
            }
            int id = idByKey.get(src, i, j - i);
            if (id >= 0) {
                syms.add(sb, keys[id], id);
            } else {
                for (int k = i; k < j; k++) {
                    int bt = byteTokens[bytes[k] & 0xff];
                    syms.add(sb, keys[bt], bt);
                }
            }
            i = j;
        }
        syms.merge(sb.toString(), true);
        for (int s = 0; s >= 0; s = syms.next[s]) {
            out.add(syms.id[s]);
        }
    }

    /** llama.cpp's SPM tokenize for one raw-text fragment (each fragment follows a special token or the start). */
    private void encodeLlamaCpp(String text, IntList out) {
        String t = (addSpacePrefix ? " " : "") + text;
        byte[] bytes = (spaceMarker ? escapeSpaces(t) : t).getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0) {
            return;
        }
        Symbols syms = new Symbols(bytes.length);
        String s = latin1(bytes);
        int i = 0;
        while (i < bytes.length) {
            int len = Math.min(bytes.length - i, utf8Length(bytes[i]));
            syms.add(i, len, idByKey.get(s, i, len));
            i += len;
        }
        syms.merge(s, false);
        for (int k = 0; k >= 0; k = syms.next[k]) {
            if (syms.id[k] >= 0) {
                out.add(syms.id[k]);
            } else {
                for (int b = syms.start[k]; b < syms.start[k] + syms.len[k]; b++) {
                    out.add(byteTokens[s.charAt(b)]);
                }
            }
        }
    }

    /**
     * The symbols of one encode call over a Latin-1 string of bytes, merged pair by pair: the highest-scoring pair
     * whose concatenation is a vocabulary entry first, the leftmost on equal scores (the order run.c's linear scan
     * and llama.cpp's priority queue both produce).
     */
    private final class Symbols {
        int[] start;
        int[] len;
        int[] id;
        int[] prev;
        int[] next;
        int count;

        Symbols(int capacity) {
            start = new int[Math.max(capacity, 1)];
            len = new int[start.length];
            id = new int[start.length];
            prev = new int[start.length];
            next = new int[start.length];
        }

        void add(StringBuilder sb, String text, int tokenId) {
            add(sb.length(), text.length(), tokenId);
            sb.append(text);
        }

        void add(int from, int length, int tokenId) {
            if (count == start.length) {
                int c = count * 2;
                start = Arrays.copyOf(start, c);
                len = Arrays.copyOf(len, c);
                id = Arrays.copyOf(id, c);
                prev = Arrays.copyOf(prev, c);
                next = Arrays.copyOf(next, c);
            }
            start[count] = from;
            len[count] = length;
            id[count] = tokenId;
            prev[count] = count - 1;
            next[count] = -1;
            if (count > 0) {
                next[count - 1] = count;
            }
            count++;
        }

        private record Pair(float score, int left, int right, int lenLeft, int lenRight, int id) { }

        void merge(String s, boolean runC) {
            if (count < 2) {
                return;
            }
            PriorityQueue<Pair> queue = new PriorityQueue<>(count,
                    (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
            for (int k = 1; k < count; k++) {
                offer(queue, s, k - 1, k, runC);
            }
            while (!queue.isEmpty()) {
                Pair p = queue.poll();
                if (len[p.left] != p.lenLeft || len[p.right] != p.lenRight) {
                    continue;   // a side was merged since this pair was queued
                }
                SymbolChain.absorb(len, prev, next, p.left, p.right);
                id[p.left] = p.id;
                if (prev[p.left] >= 0) {
                    offer(queue, s, prev[p.left], p.left, runC);
                }
                if (next[p.left] >= 0) {
                    offer(queue, s, p.left, next[p.left], runC);
                }
            }
        }

        private void offer(PriorityQueue<Pair> queue, String s, int l, int r, boolean runC) {
            int merged = idByKey.get(s, start[l], len[l] + len[r]);
            if (merged < 0) {
                return;
            }
            float score = scores[merged];
            if (runC && !(score > -1e10f)) {
                return;   // run.c starts its best score at -1e10 and needs a strictly greater one
            }
            queue.add(new Pair(score, l, r, len[l], len[r], merged));
        }
    }

    @Override
    public byte[] decodeBytes(int prevId, int id) {
        String key = keys[checkId(id)];
        if (spaceMarker) {
            key = key.replace(SPACE_MARKER_BYTES, " ");
        }
        if (prevId == bos && bos >= 0 && key.startsWith(" ")) {
            key = key.substring(1);
        }
        if (key.length() >= 4 && key.startsWith("<0x") && isHex(key.charAt(3))) {
            int v = Character.digit(key.charAt(3), 16);
            if (key.length() > 4 && isHex(key.charAt(4))) {
                v = v * 16 + Character.digit(key.charAt(4), 16);
            }
            return new byte[] {(byte) v};
        }
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }

    private String escapeSpaces(String t) {
        return spaceMarker ? t.replace(" ", SPACE_MARKER) : t;
    }

    private static int utf8Length(byte lead) {
        int hi = (lead & 0xff) >>> 4;
        return hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

}
