package io.braid.model.tokenizer;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufArray;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding, special tokens and bad input. */
class TokenizerBehaviourTest {

    private static final SentencePieceTokenizer TOK512 = Tokenizers.fromLlama2c(TestVectors.shared("models/tok512.bin"), 512);
    private static final SentencePieceTokenizer LLAMA2 = Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 32000);

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void decodeFollowsRunC() {
        // "Once upon a time": run.c prints "Once" right after BOS (leading space stripped), " upon" later
        int[] ids = {403, 407, 261, 378};
        assertThat(text(TOK512.decodeBytes(1, 403))).isEqualTo("Once");
        assertThat(text(TOK512.decodeBytes(403, 407))).isEqualTo(" upon");
        assertThat(TOK512.decode(ids)).isEqualTo("Once upon a time");
        // <0x0A> is the raw newline byte; id 13 = 0x0A + 3
        assertThat(TOK512.decodeBytes(100, 13)).containsExactly(10);
        // a byte token for a UTF-8 lead byte is that raw byte ...
        assertThat(TOK512.decodeBytes(100, 0xE4 + 3)).containsExactly(0xE4);
        // ... which run.c's safe_printf does not print, while printable pieces print unchanged
        assertThat(TOK512.printBytes(100, 0xE4 + 3)).isEmpty();
        assertThat(TOK512.printBytes(100, 13)).containsExactly(10);
        assertThat(text(TOK512.printBytes(1, 403))).isEqualTo("Once");
        // run.c prints the BOS/EOS pieces of tokenizer.bin as they are stored
        assertThat(text(TOK512.decodeBytes(100, 2))).isEqualTo("\n</s>\n");
    }

    @Test
    void printBytesReproducesRunCOutputOfAReferenceRun() throws IOException {
        String ref = TestVectors.read(TestVectors.shared("reference/stories260K/ids_t0_once_upon_a_time_n64.txt"));
        int[] prompt = TestVectors.ids(ref.lines().filter(l -> l.startsWith("PROMPT_IDS")).findFirst().orElseThrow().split(":")[1]);
        int[] out = TestVectors.ids(ref.lines().filter(l -> l.startsWith("OUT_IDS")).findFirst().orElseThrow().split(":")[1]);
        assertThat(prompt).containsExactly(1, 403, 407, 261, 378);
        assertThat(TOK512.encode("Once upon a time")).containsExactly(Arrays.copyOfRange(prompt, 1, prompt.length));
        // run.c prints decode(token, next) for every position; the first printed token follows BOS
        StringBuilder sb = new StringBuilder();
        int prev = 1;
        for (int id : out) {
            sb.append(text(TOK512.printBytes(prev, id)));
            prev = id;
        }
        byte[] stdout = Files.readAllBytes(TestVectors.shared("reference/stories260K/run_t0_once_upon_a_time_n64.stdout"));
        assertThat(text(stdout)).startsWith(sb.toString());
    }

    @Test
    void decodeRoundTripsThroughByteFallback() {
        for (String s : List.of("Hello world", " leading", "tab\there\nnewline", "emoji 😀 and 中文 and Führer", "", "  ")) {
            assertThat(LLAMA2.decode(LLAMA2.encode(s))).as(s).isEqualTo(s);
            assertThat(TOK512.decode(TOK512.encode(s))).as(s).isEqualTo(s);
        }
        Tokenizer gpt2 = TestVectors.gguf("gpt-2");
        for (String s : List.of("Hello world", "   spaces  ", "emoji 😀 and 中文", "\n\n\t x")) {
            assertThat(gpt2.decode(gpt2.encode(s))).as(s).isEqualTo(s);
        }
    }

    @Test
    void specialTokensAreTextUnlessParsingIsAsked() {
        Tokenizer gpt2 = TestVectors.gguf("gpt-2");
        assertThat(gpt2.encode("<|endoftext|>", true)).containsExactly(50256);
        assertThat(gpt2.encode("<|endoftext|>")).hasSizeGreaterThan(1).doesNotContain(50256);
        assertThat(gpt2.encode("a<|endoftext|>b", true)).containsExactly(64, 50256, 65);
        assertThat(gpt2.decode(new int[] {64, 50256, 65})).isEqualTo("ab");

        // SPM: the dummy-prefix space starts every text fragment after a special token, as in llama.cpp
        Tokenizer spm = TestVectors.gguf("llama-spm");
        assertThat(spm.encode("<s>Hello", true)).containsExactly(1, 15043);
        assertThat(spm.encode("<s>Hello")).doesNotContain(1);
        assertThat(LLAMA2.encode("<s>Hello", true)).containsExactly(1, 15043);
    }

    @Test
    void userDefinedTokensAreAlwaysMatched() {
        // phi-3 stores </s> as a user-defined token (type 4): llama.cpp matches it even without parse_special
        Tokenizer phi3 = TestVectors.gguf("phi-3");
        assertThat(phi3.type(2)).isEqualTo(TokenType.USER_DEFINED);
        assertThat(phi3.encode("a</s>")).contains(2);
        int end = phi3.id("<|end|>").orElseThrow();
        assertThat(phi3.type(end)).isEqualTo(TokenType.CONTROL);
        assertThat(phi3.encode("<|end|>", true)).containsExactly(end);
        assertThat(phi3.encode("<|end|>")).doesNotContain(end);
    }

    @Test
    void loneSurrogatesAndBadIdsAreIllegalArguments() {
        assertThatThrownBy(() -> LLAMA2.encode("ab\uD800c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone high surrogate").hasMessageContaining("index 2");
        assertThatThrownBy(() -> LLAMA2.encode("\uDC00")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lone low surrogate");
        assertThatThrownBy(() -> LLAMA2.decode(new int[] {5, 32000})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 32000 is outside the vocabulary (0..31999)");
        assertThatThrownBy(() -> TOK512.piece(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkMatchesNamesBothSizesAndTheFile() {
        TOK512.checkMatches(512, "stories260K.bin");
        assertThatThrownBy(() -> TOK512.checkMatches(32000, "llama2.bin"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage("llama2.bin: the tokenizer has 512 tokens but the model's vocabulary has 32000; "
                        + "use the tokenizer that belongs to this model");
    }

    @Test
    void badTokenizerBinFiles(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope.bin");
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(missing, 512)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(missing + ": tokenizer file not found");

        // tok512.bin asked for more tokens than it has (the wrong tokenizer for a 32k model)
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(TestVectors.shared("models/tok512.bin"), 32000))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tokenizer ends at token 512 but the model's vocabulary has 32000 tokens");

        // tokenizer.bin asked for fewer tokens than it has (a 32k tokenizer for the 512-token stories260K)
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 512))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("the tokenizer has 32000 tokens but the model's vocabulary has 512 tokens");

        byte[] good = Files.readAllBytes(TestVectors.shared("models/tok512.bin"));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(cut, 512)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tokenizer ends at token 511");

        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[2]);
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(empty, 512)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("too short for its header");

        Path corrupt = dir.resolve("corrupt.bin");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putFloat(0f).putInt(-5);
        Files.write(corrupt, b.array());
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(corrupt, 512)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("token 0 has length -5");
    }

    private static GgufMetadata metadata(Map<String, GgufValue> kv) {
        return new GgufMetadata("test.gguf", kv);
    }

    @Test
    void unsupportedGgufTokenizersNameTheTypeAndTheSupportedOnes() {
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string("bert"));
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(List.of("a", "b"))));
        assertThatThrownBy(() -> Tokenizers.fromGguf(metadata(kv))).isInstanceOf(ModelFormatException.class)
                .hasMessage("test.gguf: unsupported tokenizer type tokenizer.ggml.model = 'bert'; supported: llama, gpt2");

        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings(List.of("a b"))));
        kv.put("tokenizer.ggml.pre", GgufValue.string("klingon"));
        assertThatThrownBy(() -> Tokenizers.fromGguf(metadata(kv))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unsupported pre-tokenizer tokenizer.ggml.pre = 'klingon'; supported: default, gpt-2");

        kv.remove("tokenizer.ggml.pre");
        kv.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(7));
        assertThatThrownBy(() -> Tokenizers.fromGguf(metadata(kv))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'tokenizer.ggml.bos_token_id' = 7 is not a token id (the vocabulary has 2 tokens)");

        Map<String, GgufValue> none = new LinkedHashMap<>();
        none.put("general.architecture", GgufValue.string("llama"));
        assertThatThrownBy(() -> Tokenizers.fromGguf(metadata(none))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("no tokenizer in this file");

        Map<String, GgufValue> spm = new LinkedHashMap<>();
        spm.put("tokenizer.ggml.model", GgufValue.string("llama"));
        spm.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(List.of("a", "b", "c"))));
        spm.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(new float[] {0f, 1f})));
        assertThatThrownBy(() -> Tokenizers.fromGguf(metadata(spm))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'tokenizer.ggml.scores' has 2 entries but the vocabulary has 3 tokens");
    }

    /** A byte-level vocabulary: the 256 byte symbols, then "bc" and "abc"; the only merge is "b c". */
    private static Tokenizer tinyByteLevel(String pre) {
        List<String> tokens = new java.util.ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelBpeTokenizer.ByteUnicode.charOf(b)));
        }
        tokens.add("bc");
        tokens.add("abc");
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        kv.put("tokenizer.ggml.pre", GgufValue.string(pre));
        kv.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(tokens)));
        kv.put("tokenizer.ggml.merges", GgufValue.array(GgufArray.ofStrings(List.of("b c"))));
        return Tokenizers.fromGguf(metadata(kv));
    }

    @Test
    void llama3TakesWholeVocabularyWordsWithoutMerging() {
        // llama.cpp's ignore_merges: a pre-tokenized word that is itself a token is emitted as is
        assertThat(tinyByteLevel("llama-bpe").encode("abc")).containsExactly(257);
        assertThat(tinyByteLevel("gpt-2").encode("abc")).containsExactly('a', 256);
        assertThat(tinyByteLevel("llama-bpe").encode("abcabc")).containsExactly('a', 256, 'a', 256);
    }

    @Test
    void spmHonoursAddSpacePrefix() throws Exception {
        GgufMetadata base;
        try (var f = io.braid.model.gguf.GgufFile.open(TestVectors.shared("models/vocab/ggml-vocab-llama-spm.gguf"))) {
            base = f.metadata();
        }
        Map<String, GgufValue> kv = new LinkedHashMap<>(base.entries());
        kv.put("tokenizer.ggml.add_space_prefix", GgufValue.bool(false));
        Tokenizer noPrefix = Tokenizers.fromGguf(metadata(kv));
        Tokenizer withPrefix = Tokenizers.fromGguf(base);
        assertThat(withPrefix.encode("Hello")).containsExactly(15043);                  // "▁Hello"
        assertThat(noPrefix.encode("Hello")).containsExactly(noPrefix.id("Hello").orElseThrow());
        assertThat(noPrefix.decode(noPrefix.encode("Hello world"))).isEqualTo("Hello world");
    }

    @Test
    void preTokenizerKeepsEveryCharacter() {
        assertThat(BpePreTokenizer.GPT2.words("Hello, y'all! It's  How   are")).containsExactly(
                "Hello", ",", " y", "'", "all", "!", " It", "'s", " ", " How", "  ", " are");
        assertThat(BpePreTokenizer.STARCODER.words("x 2024")).containsExactly("x", " ", "2", "0", "2", "4");
        assertThat(BpePreTokenizer.LLAMA3.words("abc 12345")).containsExactly("abc", " ", "123", "45");
    }
}
