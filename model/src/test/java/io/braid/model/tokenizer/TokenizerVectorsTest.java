package io.braid.model.tokenizer;

import io.braid.model.tokenizer.SentencePieceTokenizer.Flavor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tokenizer against its reference: llama.cpp's test vectors for each vocab file in shared/models/vocab, and
 * llama2.c run.c's encodings in shared/reference/tokenizer.
 */
class TokenizerVectorsTest {

    private static final Path TOK_CASES = TestVectors.shared("reference/tokenizer/tok_cases.inp");
    private static final Path SPM_INP = TestVectors.shared("models/vocab/ggml-vocab-llama-spm.gguf.inp");

    /** The cases whose encoding differs from the expected ids (described), empty when all pass. */
    private static List<String> failures(Tokenizer t, List<TestVectors.Case> cases, boolean withBos) {
        List<String> bad = new ArrayList<>();
        for (TestVectors.Case c : cases) {
            int[] ids = t.encode(c.text());
            if (withBos) {
                int[] b = new int[ids.length + 1];
                b[0] = t.bos();
                System.arraycopy(ids, 0, b, 1, ids.length);
                ids = b;
            }
            if (!Arrays.equals(ids, c.expected())) {
                bad.add(c + ": expected " + Arrays.toString(c.expected()) + " got " + Arrays.toString(ids));
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "llama.cpp vectors for ggml-vocab-{0}.gguf")
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "deepseek-llm", "deepseek-coder", "falcon", "starcoder",
            "mpt", "refact"})
    void llamaCppVectors(String vocab) {
        List<TestVectors.Case> cases = TestVectors.llamaCpp(vocab);
        assertThat(cases).hasSize(46);
        assertThat(failures(TestVectors.gguf(vocab), cases, false)).isEmpty();
    }

    @Test
    void ggufSelectsTheImplementationAndPreTokenizer() {
        assertThat(TestVectors.gguf("llama-spm")).isInstanceOfSatisfying(SentencePieceTokenizer.class,
                t -> assertThat(t.flavor()).isEqualTo(Flavor.LLAMA_CPP));
        assertThat(TestVectors.gguf("deepseek-coder")).isInstanceOfSatisfying(ByteLevelBpeTokenizer.class,
                t -> assertThat(t.preTokenizer()).isEqualTo(BpePreTokenizer.DEEPSEEK_CODER));
        assertThat(TestVectors.gguf("falcon")).isInstanceOfSatisfying(ByteLevelBpeTokenizer.class,
                t -> assertThat(t.preTokenizer()).isEqualTo(BpePreTokenizer.FALCON));
    }

    @Test
    void runCEncodingsOfTok512() {
        SentencePieceTokenizer t = Tokenizers.fromLlama2c(TestVectors.shared("models/tok512.bin"), 512);
        assertThat(t.flavor()).isEqualTo(Flavor.RUN_C);
        List<TestVectors.Case> withBos = TestVectors.runC("enc_tok512_cases_bos.txt", TOK_CASES);
        List<TestVectors.Case> noBos = TestVectors.runC("enc_tok512_llamacpp_inp_nobos.txt", SPM_INP);
        assertThat(withBos).hasSize(17);
        assertThat(noBos).hasSize(46);
        assertThat(failures(t, withBos, true)).isEmpty();
        assertThat(failures(t, noBos, false)).isEmpty();
    }

    @Test
    void runCEncodingsOfTheLlama2Vocabulary() {
        SentencePieceTokenizer t = Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 32000);
        assertThat(failures(t, TestVectors.runC("enc_tokenizer32000_cases_bos.txt", TOK_CASES), true)).isEmpty();
        assertThat(failures(t, TestVectors.runC("enc_tokenizer32000_llamacpp_inp_nobos.txt", SPM_INP), false)).isEmpty();
    }

    /** The same Llama 2 vocabulary in both file formats, each flavour against the other reference's vectors. */
    @Test
    void flavoursAreIndependentOfTheFileFormat() {
        SentencePieceTokenizer bin = Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 32000);
        SentencePieceTokenizer gguf = (SentencePieceTokenizer) TestVectors.gguf("llama-spm");
        assertThat(failures(bin.withFlavor(Flavor.LLAMA_CPP), TestVectors.llamaCpp("llama-spm"), false)).isEmpty();
        assertThat(failures(gguf.withFlavor(Flavor.RUN_C),
                TestVectors.runC("enc_tokenizer32000_cases_bos.txt", TOK_CASES), true)).isEmpty();
        assertThat(failures(gguf.withFlavor(Flavor.RUN_C),
                TestVectors.runC("enc_tokenizer32000_llamacpp_inp_nobos.txt", SPM_INP), false)).isEmpty();
    }

    /**
     * Where the references disagree: run.c reads a C string, so its text ends at the first NUL; llama.cpp keeps it
     * and spells it with the byte token {@code <0x00>} (id 3).
     */
    @Test
    void flavoursDifferOnNulCharacters() {
        SentencePieceTokenizer runC = Tokenizers.fromLlama2c(TestVectors.shared("models/tokenizer.bin"), 32000);
        SentencePieceTokenizer cpp = runC.withFlavor(Flavor.LLAMA_CPP);
        assertThat(runC.encode("Hello\0world")).containsExactly(runC.encode("Hello"));
        assertThat(runC.encode("\0world")).isEmpty();
        assertThat(cpp.encode("Hello\0world")).containsSubsequence(15043, 3);
        assertThat(cpp.decode(cpp.encode("Hello\0world"))).isEqualTo("Hello\0world");
    }

    /** Both reference SPM vectors for stories260K's own vocabulary agree with the GGUF copy of it. */
    @Test
    void stories260kGgufVocabularyMatchesItsTokenizerBin() {
        SentencePieceTokenizer bin = Tokenizers.fromLlama2c(TestVectors.shared("models/tok512.bin"), 512);
        Tokenizer gguf;
        try (var f = io.braid.model.gguf.GgufFile.open(TestVectors.shared("models/stories260K.gguf"))) {
            gguf = Tokenizers.fromGguf(f.metadata());
        }
        assertThat(gguf.vocabSize()).isEqualTo(512);
        for (TestVectors.Case c : TestVectors.runC("enc_tok512_llamacpp_inp_nobos.txt", SPM_INP)) {
            assertThat(gguf.encode(c.text())).as(c.toString()).containsExactly(c.expected());
            assertThat(bin.encode(c.text())).as(c.toString()).containsExactly(c.expected());
        }
        for (int id = 0; id < 512; id++) {
            for (int prev : new int[] {1, 100}) {
                if (id > 2) {   // tok512.bin spells BOS/EOS "\n<s>\n", GGUF "<s>"
                    assertThat(gguf.decodeBytes(prev, id)).as("token %d after %d", id, prev)
                            .isEqualTo(bin.decodeBytes(prev, id));
                }
            }
        }
    }
}
