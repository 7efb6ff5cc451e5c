package io.braid.model.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (GGUF {@code tokenizer.ggml.model = gpt2}: GPT-2, Llama 3, DeepSeek, Falcon, StarCoder, MPT...):
 * text is cut into words by the vocabulary's {@link BpePreTokenizer}, each word's UTF-8 bytes are spelled with
 * GPT-2's printable byte alphabet, and adjacent symbols are merged in the order of {@code tokenizer.ggml.merges}
 * (lowest rank first, leftmost on ties), as llama.cpp's {@code llm_tokenizer_bpe} does. Every byte has a token,
 * so any text round-trips.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {

    private static final int CACHE_LIMIT = 65_536;

    private final String[] pieces;
    private final TokenType[] types;
    private final RangeIndex idByPiece;
    private final PairRanks rankByIds;               // (left id, right id) -> merge rank
    private final Map<String, Integer> rankByPair;   // "left right" -> merge rank, for sides that are not tokens
    private final BpePreTokenizer pre;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private final SpecialTokenSplitter splitter;
    private final int[] byteToken;                   // id of each single byte's symbol, -1 if missing
    private final ConcurrentHashMap<String, int[]> wordCache = new ConcurrentHashMap<>();

    /**
     * @param pieces vocabulary entries in GPT-2's byte alphabet (special tokens as plain text)
     * @param types  their types
     * @param merges merge rules "left right", highest priority first
     * @param pre    the pre-tokenizer
     * @param bos    BOS id or -1
     * @param eos    EOS id or -1
     * @param addBos whether prompts start with BOS
     */
    ByteLevelBpeTokenizer(String[] pieces, TokenType[] types, List<String> merges, BpePreTokenizer pre,
                          int bos, int eos, boolean addBos) {
        this.pieces = pieces;
        this.types = types;
        this.idByPiece = new RangeIndex(pieces, true);   // the last of duplicate entries wins, as in llama.cpp
        this.rankByIds = new PairRanks(merges.size());
        this.rankByPair = HashMap.newHashMap(merges.size());
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            // split at the first space after the first character, as llama.cpp does
            int sp = m.indexOf(' ', 1);
            if (sp > 0) {
                rankByPair.putIfAbsent(m, r);
                int left = idByPiece.get(m, 0, sp);
                int right = idByPiece.get(m, sp + 1, m.length() - sp - 1);
                if (left >= 0 && right >= 0) {
                    rankByIds.put(left, right, r);
                }
            }
        }
        this.pre = pre;
        this.bos = bos;
        this.eos = eos;
        this.addBos = addBos;
        this.splitter = new SpecialTokenSplitter(pieces, types);
        this.byteToken = new int[256];
        for (int b = 0; b < 256; b++) {
            byteToken[b] = idByPiece.get(String.valueOf(ByteUnicode.charOf(b)));
        }
    }

    /** The pre-tokenizer of this vocabulary. */
    public BpePreTokenizer preTokenizer() {
        return pre;
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

    @Override
    public String piece(int id) {
        return pieces[checkId(id)];
    }

    @Override
    public TokenType type(int id) {
        return types[checkId(id)];
    }

    @Override
    public OptionalInt id(String piece) {
        int id = idByPiece.get(piece);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        SpecialTokenSplitter.checkText(text);
        IntList out = new IntList(text.length() / 2 + 4);
        for (SpecialTokenSplitter.Fragment f : splitter.split(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.id());
                continue;
            }
            String t = f.text();
            int[] spans = pre.split(t);
            for (int i = 0; i < spans.length; i += 2) {
                String word = ByteUnicode.encode(t.substring(spans[i], spans[i + 1]).getBytes(StandardCharsets.UTF_8));
                int[] ids = wordCache.get(word);
                if (ids == null) {
                    ids = bpe(word);
                    if (wordCache.size() >= CACHE_LIMIT) {
                        wordCache.clear();   // bounded memory; hot words come back quickly
                    }
                    wordCache.put(word, ids);
                }
                out.addAll(ids);
            }
        }
        return out.toArray();
    }

    private record Pair(int rank, int left, int right, int lenLeft, int lenRight) { }

    /** The tokens of one byte-alphabet word. */
    private int[] bpe(String word) {
        if (pre.ignoreMerges()) {
            int whole = idByPiece.get(word);
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        int n = word.length();   // every char of the byte alphabet is one UTF-16 unit
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int[] sid = new int[n];   // token id of each symbol's text, -1 if it is not a token
        for (int i = 0; i < n; i++) {
            sid[i] = idByPiece.get(word, i, 1);
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Pair> queue = new PriorityQueue<>(Math.max(n, 1),
                (a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offer(queue, word, i - 1, i, len, sid);
        }
        while (!queue.isEmpty()) {
            Pair p = queue.poll();
            if (len[p.left] != p.lenLeft || len[p.right] != p.lenRight) {
                continue;   // stale: a side changed since this pair was queued
            }
            SymbolChain.absorb(len, prev, next, p.left, p.right);
            sid[p.left] = idByPiece.get(word, p.left, len[p.left]);
            if (prev[p.left] >= 0) {
                offer(queue, word, prev[p.left], p.left, len, sid);
            }
            if (next[p.left] >= 0) {
                offer(queue, word, p.left, next[p.left], len, sid);
            }
        }
        IntList out = new IntList(n);
        for (int s = n == 0 ? -1 : 0; s >= 0; s = next[s]) {
            if (sid[s] >= 0) {
                out.add(sid[s]);
            } else {
                String sym = word.substring(s, s + len[s]);
                // cannot happen with a complete byte alphabet; fall back to single symbols like llama.cpp
                for (int k = 0; k < sym.length(); k++) {
                    int b = ByteUnicode.byteOf(sym.charAt(k));
                    if (b >= 0 && byteToken[b] >= 0) {
                        out.add(byteToken[b]);
                    }
                }
            }
        }
        return out.toArray();
    }

    private void offer(PriorityQueue<Pair> queue, String word, int l, int r, int[] len, int[] sid) {
        int rank;
        if (sid[l] >= 0 && sid[r] >= 0) {
            rank = rankByIds.get(sid[l], sid[r]);
        } else {
            Integer byText = rankByPair.get(word.substring(l, l + len[l]) + ' ' + word.substring(r, r + len[r]));
            rank = byText == null ? -1 : byText;
        }
        if (rank >= 0) {
            queue.add(new Pair(rank, l, r, len[l], len[r]));
        }
    }

    /**
     * The bytes of token {@code id} (the previous token does not matter for byte-level BPE): control tokens are
     * empty, user-defined tokens are their text, others are spelled back from the byte alphabet.
     */
    @Override
    public byte[] decodeBytes(int prevId, int id) {
        String p = pieces[checkId(id)];
        return switch (types[id]) {
            case CONTROL -> new byte[0];
            case USER_DEFINED -> p.getBytes(StandardCharsets.UTF_8);
            default -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(p.length());
                for (int i = 0; i < p.length(); i++) {
                    char c = p.charAt(i);
                    int b = ByteUnicode.byteOf(c);
                    if (b >= 0) {
                        out.write(b);
                    } else {
                        int cp = p.codePointAt(i);
                        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                        i += Character.charCount(cp) - 1;
                    }
                }
                yield out.toByteArray();
            }
        };
    }

    /** GPT-2's reversible map between bytes and printable characters. */
    static final class ByteUnicode {
        private static final char[] BYTE_TO_CHAR = new char[256];
        private static final int[] CHAR_TO_BYTE = new int[512];

        static {
            Arrays.fill(CHAR_TO_BYTE, -1);
            int extra = 0;
            for (int b = 0; b < 256; b++) {
                boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
                char c = printable ? (char) b : (char) (256 + extra++);
                BYTE_TO_CHAR[b] = c;
                CHAR_TO_BYTE[c] = b;
            }
        }

        private ByteUnicode() {
        }

        static char charOf(int b) {
            return BYTE_TO_CHAR[b];
        }

        /** The byte spelled by {@code c}, or -1 if {@code c} is not in the byte alphabet. */
        static int byteOf(char c) {
            return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        }

        static String encode(byte[] bytes) {
            char[] cs = new char[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                cs[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
            }
            return new String(cs);
        }
    }
}
