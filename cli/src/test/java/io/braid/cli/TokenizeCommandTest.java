package io.braid.cli;

import io.braid.cli.InProcessBraid.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.braid.cli.InProcessBraid.braid;
import static io.braid.cli.InProcessBraid.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid tokenize} in-process: ids of run.c's reference encodings, decoding, one-line errors. */
class TokenizeCommandTest {

    private static String out(Run r) {
        return new String(r.out(), StandardCharsets.UTF_8);
    }

    @Test
    void encodesWithTheGgufTokenizerAndTheLlama2cOne() {
        String gguf = shared("models/stories260K.gguf").toString();
        var r = braid("tokenize", "--model", gguf, "Once upon a time");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out(r)).isEqualTo("403 407 261 378\n");

        var bin = braid("tokenize", "--model", shared("models/stories260K.bin").toString(),
                "--tokenizer", shared("models/tok512.bin").toString(), "--bos", "Once upon a time");
        assertThat(bin.exit()).as(bin.err()).isZero();
        assertThat(out(bin)).isEqualTo("1 403 407 261 378\n");

        var empty = braid("tokenize", "--model", gguf, "--bos", "");
        assertThat(out(empty)).isEqualTo("1\n");
    }

    @Test
    void decodesIds() {
        var r = braid("tokenize", "--model", shared("models/stories260K.gguf").toString(), "--decode", "1 403 407 261 378");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out(r)).isEqualTo("Once upon a time\n");
    }

    @Test
    void defaultTokenizerIsBesideTheCheckpoint(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("m.bin");
        Files.copy(shared("models/stories260K.bin"), model);
        var missing = braid("tokenize", "--model", model.toString(), "hi");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("braid tokenize: " + dir.resolve("tokenizer.bin")
                + ": tokenizer file not found (pass the llama2.c tokenizer.bin with --tokenizer)\n");

        Files.copy(shared("models/tok512.bin"), dir.resolve("tokenizer.bin"));
        var ok = braid("tokenize", "--model", model.toString(), "Zoo");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(out(ok)).isEqualTo("410 469 347\n");
    }

    @Test
    void errorsAreOneLineWithExitCode2() {
        String gguf = shared("models/stories260K.gguf").toString();
        var wrongTok = braid("tokenize", "--model", shared("models/stories260K.bin").toString(),
                "--tokenizer", shared("models/tokenizer.bin").toString(), "hi");
        assertThat(wrongTok.exit()).isEqualTo(2);
        assertThat(wrongTok.err()).startsWith("braid tokenize: ").contains("tokenizer").doesNotContain("\tat ");
        assertThat(wrongTok.err().strip().lines()).hasSize(1);

        var badId = braid("tokenize", "--model", gguf, "--decode", "1 999");
        assertThat(badId.exit()).isEqualTo(2);
        assertThat(badId.err()).isEqualTo("braid tokenize: token id 999 is outside the vocabulary (0..511)\n");

        var notNumber = braid("tokenize", "--model", gguf, "--decode", "1 x");
        assertThat(notNumber.err()).isEqualTo("braid tokenize: --decode: 'x' is not a token id\n");

        var noModel = braid("tokenize", "--model", "/nonexistent/m.gguf", "hi");
        assertThat(noModel.exit()).isEqualTo(2);
        assertThat(noModel.err()).isEqualTo("braid tokenize: /nonexistent/m.gguf: no such model file\n");

        var usage = braid("tokenize", "--model", gguf);
        assertThat(usage.exit()).isEqualTo(2);
    }
}
