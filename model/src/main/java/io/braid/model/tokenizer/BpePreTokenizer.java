package io.braid.model.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a byte-level BPE vocabulary cuts text into words before merging, named by GGUF {@code tokenizer.ggml.pre}.
 * Each type is a list of regular expressions applied in turn, as llama.cpp does: every expression cuts each
 * current piece into its matches and the text between them (nothing is dropped), and matching never looks past
 * the piece being cut.
 */
public enum BpePreTokenizer {
    /** Files without {@code tokenizer.ggml.pre} (older GGUF). */
    DEFAULT(false, List.of("default"),
            "[\\p{P}\\$\\+<=>\\^~\\|]+",
            Regexes.GPT2,
            "\\p{N}+",
            "[0-9][0-9][0-9]"),
    GPT2(false, List.of("gpt-2", "phi-2", "roberta-bpe", "jina-es", "jina-de", "jina-v1-en", "jina-v2-es",
            "jina-v2-de", "jina-v2-code", "gigachat"),
            Regexes.GPT2),
    MPT(false, List.of("mpt"), Regexes.GPT2),
    OLMO(false, List.of("olmo"), Regexes.GPT2),
    STARCODER(false, List.of("starcoder"), "\\p{N}", Regexes.GPT2),
    REFACT(false, List.of("refact"), "\\p{N}", Regexes.GPT2),
    COMMAND_R(false, List.of("command-r"), "\\p{N}", Regexes.GPT2),
    SMOLLM(false, List.of("smollm"), "\\p{N}", Regexes.GPT2),
    FALCON(false, List.of("falcon"),
            "[\\p{P}\\$\\+<=>\\^~\\|`]+",
            Regexes.GPT2,
            "[0-9][0-9][0-9]"),
    DEEPSEEK_LLM(false, List.of("deepseek-llm"),
            "[\\r\\n]",
            "\\s?[A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            // "\\s+$" with the same leftmost match (the start of the trailing whitespace run); the look-behind keeps a
            // long inner whitespace run from being rescanned at every position (quadratic time otherwise)
            "(?<!\\s)\\s+$",
            "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}+"),
    DEEPSEEK_CODER(false, List.of("deepseek-coder"),
            "[\\r\\n]",
            "\\s?\\p{L}+",
            "\\s?\\p{P}+",
            "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}"),
    /** Llama 3: whole words already in the vocabulary skip merging. */
    LLAMA3(true, List.of("llama3", "llama-v3", "llama-bpe", "falcon3"), Regexes.LLAMA3),
    DBRX(false, List.of("dbrx", "smaug-bpe"), Regexes.LLAMA3),
    QWEN2(false, List.of("qwen2", "deepseek-r1-qwen"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /** Regular expressions shared by several types. */
    private static final class Regexes {
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
                + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    }

    private final boolean ignoreMerges;
    private final List<String> names;
    private final List<Pattern> patterns;

    BpePreTokenizer(boolean ignoreMerges, List<String> names, String... regexes) {
        this.ignoreMerges = ignoreMerges;
        this.names = names;
        // \s means Unicode White_Space, like llama.cpp's whitespace flag (Java's default \s is ASCII only)
        this.patterns = Arrays.stream(regexes).map(r -> Pattern.compile(r, Pattern.UNICODE_CHARACTER_CLASS)).toList();
    }

    /** Whether a word that is itself a vocabulary entry becomes that token without merging (Llama 3). */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The {@code tokenizer.ggml.pre} values that select this type. */
    public List<String> names() {
        return names;
    }

    /** The type named {@code pre} (a {@code tokenizer.ggml.pre} value). */
    public static Optional<BpePreTokenizer> byName(String pre) {
        for (BpePreTokenizer t : values()) {
            if (t.names.contains(pre)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Every supported {@code tokenizer.ggml.pre} value, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).flatMap(t -> t.names.stream()).collect(Collectors.joining(", "));
    }

    /** The words of {@code text}, as [start, end) char offsets, in order, covering all of it. */
    int[] split(String text) {
        int[] spans = {0, text.length()};
        int n = text.isEmpty() ? 0 : 1;
        for (Pattern p : patterns) {
            IntList out = new IntList(n * 4 + 4);
            Matcher m = p.matcher(text);
            for (int i = 0; i < n; i++) {
                int s = spans[2 * i];
                int e = spans[2 * i + 1];
                m.region(s, e);
                int last = s;
                while (m.find()) {
                    if (m.start() == m.end()) {
                        continue;
                    }
                    if (m.start() > last) {
                        out.add(last);
                        out.add(m.start());
                    }
                    out.add(m.start());
                    out.add(m.end());
                    last = m.end();
                }
                if (last < e) {
                    out.add(last);
                    out.add(e);
                }
            }
            spans = out.toArray();
            n = spans.length / 2;
        }
        return spans;
    }

    /** The words of {@code text} as strings (for tests and tools). */
    public List<String> words(String text) {
        int[] spans = split(text);
        List<String> out = new ArrayList<>(spans.length / 2);
        for (int i = 0; i < spans.length; i += 2) {
            out.add(text.substring(spans[i], spans[i + 1]));
        }
        return out;
    }
}
