package io.braid.model.tokenizer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.braid.model.ModelFormatException;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the tokenizers: any text either tokenizes or, if it is not valid Unicode, fails with an
 * {@link IllegalArgumentException}; decoding the ids gives the text back (when the vocabulary can spell
 * every byte of it); any id list decodes or fails with an {@link IllegalArgumentException}; any tokenizer.bin bytes load or fail
 * with a {@link ModelFormatException}. Plain test runs replay the seeds in {@code TokenizerFuzzTestInputs}; run with
 * {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class TokenizerFuzzTest {

    /** Immutable tokenizers of each kind: run.c SPM, llama.cpp SPM, and byte-level BPE with simple and multi-regex pre-tokenizers. */
    private static final List<Tokenizer> TOKENIZERS = List.of(
            Tokenizers.fromLlama2c(TestVectors.shared("models/tok512.bin"), 512),
            TestVectors.gguf("llama-spm"),
            TestVectors.gguf("gpt-2"),
            TestVectors.gguf("deepseek-llm"),
            TestVectors.gguf("falcon"));

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the vocabulary has a token for every byte of {@code text}: Falcon's, for one, lacks some control
     * characters, which llama.cpp (and so Braid) then drops.
     */
    private static boolean spellsEveryByte(Tokenizer t, String text) {
        if (!(t instanceof ByteLevelBpeTokenizer)) {
            return true;   // these SentencePiece vocabularies have all 256 <0xXX> tokens
        }
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (t.id(String.valueOf(ByteLevelBpeTokenizer.ByteUnicode.charOf(b & 0xff))).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @FuzzTest(maxDuration = "60s")
    void encodeDecode(FuzzedDataProvider data) {
        Tokenizer t = TOKENIZERS.get(data.consumeInt(0, TOKENIZERS.size() - 1));
        boolean parseSpecial = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        int[] ids;
        try {
            ids = t.encode(text, parseSpecial);
        } catch (IllegalArgumentException e) {
            assertThat(hasLoneSurrogate(text)).as("rejected valid text: %s", e.getMessage()).isTrue();
            return;
        }
        assertThat(hasLoneSurrogate(text)).as("accepted a lone surrogate").isFalse();
        for (int id : ids) {
            assertThat(id).isBetween(0, t.vocabSize() - 1);
        }
        if (!parseSpecial && spellsEveryByte(t, text)) {
            boolean runC = t instanceof SentencePieceTokenizer s && s.flavor() == SentencePieceTokenizer.Flavor.RUN_C;
            int nul = text.indexOf('\0');
            String expected = runC && nul >= 0 ? text.substring(0, nul) : text;   // run.c reads a C string
            assertThat(t.decode(ids)).isEqualTo(expected);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void decodeAnyIds(FuzzedDataProvider data) {
        Tokenizer t = TOKENIZERS.get(data.consumeInt(0, TOKENIZERS.size() - 1));
        int[] ids = data.consumeInts(64);
        try {
            t.decode(ids);
            for (int i = 0; i < ids.length; i++) {
                t.printBytes(i == 0 ? t.bos() : ids[i - 1], ids[i]);
            }
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("outside the vocabulary");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void loadTokenizerBin(FuzzedDataProvider data) {
        int vocab = data.consumeInt(1, 600);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            Tokenizer t = Tokenizers.llama2c("fuzz.bin", bytes, vocab);
            t.decode(t.encode("Hello world"));
        } catch (ModelFormatException expected) {
            assertThat(expected.getMessage()).startsWith("fuzz.bin: ").doesNotContain("\n");
        }
    }
}
