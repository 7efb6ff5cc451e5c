package io.braid.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.braid.cli.InProcessBraid.braid;
import static io.braid.cli.InProcessBraid.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid model info} and {@code braid bench engine}, run in-process. */
class EngineCommandsTest {

    private static String out(InProcessBraid.Run r) {
        return new String(r.out(), StandardCharsets.UTF_8);
    }

    @Test
    void modelInfoDescribesTheGguf() {
        InProcessBraid.Run r = braid("model", "info", shared("models/stories260K.gguf").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out(r)).contains("GGUF v3", "architecture  llama", "dim 64, hidden 172, layers 5, heads 8, kv heads 4",
                "vocab 512, context 2048", "48: F32 48", "parameters    292,800", "519,936 at position 0",
                "1,185,376 B", "separate head");
    }

    @Test
    void modelInfoDescribesTheCheckpointAndF16File() {
        InProcessBraid.Run bin = braid("model", "info", shared("models/stories260K.bin").toString());
        assertThat(out(bin)).contains("llama2.c checkpoint", "tied head", "parameters    260,032", "context 512");
        InProcessBraid.Run f16 = braid("model", "info", shared("models/llama-2-tiny-random.gguf").toString());
        assertThat(out(f16)).contains("F16 9", "F32 3", "vocab 32000");
    }

    @Test
    void modelInfoOnABadFileIsAOneLineError(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.gguf");
        Files.write(junk, new byte[]{'G', 'G', 'U', 'F', 3, 0, 0});
        InProcessBraid.Run r = braid("model", "info", junk.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").doesNotContain("Exception").contains(junk.toString());
    }

    @Test
    void benchEngineReportsPrefillDecodeAndBandwidth() {
        InProcessBraid.Run r = braid("bench", "engine", "--model", shared("models/stories260K.gguf").toString(),
                "--runs", "2", "--prompt-tokens", "16", "--decode-tokens", "4", "--threads", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(out(r)).containsPattern("prefill +[0-9.]+ tok/s +\\(median of 2; 16-token batch")
                .containsPattern("decode +[0-9.]+ tok/s").containsPattern("bandwidth +[0-9.]+ GB/s");
    }

    @Test
    void benchEngineBeyondTheContextIsAOneLineError() {
        InProcessBraid.Run r = braid("bench", "engine", "--model", shared("models/stories260K.bin").toString(),
                "--prompt-tokens", "500", "--decode-tokens", "100");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).doesNotContain("\n").contains("context of 512");
    }
}
