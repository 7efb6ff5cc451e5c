package io.braid.cli;

import io.braid.model.gguf.GgufFile;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.braid.cli.InProcessBraid.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code braid model synth} run in-process on small shapes. */
class ModelSynthCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run braid(String... args) {
        InProcessBraid.Run r = InProcessBraid.braid(args);
        return new Run(r.exit(), new String(r.out(), StandardCharsets.UTF_8), r.err());
    }

    @Test
    void writesACustomShapeThatReadsBack() {
        Path out = dir.resolve("m.gguf");
        Run r = braid("model", "synth", "--dim", "64", "--hidden", "128", "--layers", "2", "--heads", "4",
                "--kv-heads", "2", "--context", "128", "--rope-theta", "500000", "--type", "q4_0",
                "--vocab", shared("models/vocab/ggml-vocab-llama-spm.gguf").toString(), "--out", out.toString(),
                "--seed", "9", "--threads", "2");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("wrote " + out + ": llama custom, dim 64, hidden 128, layers 2, heads 4/2,"
                + " context 128, vocab 32000, Q4_0, ");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getInt("llama.vocab_size")).isEqualTo(32000);
            assertThat(f.metadata().getFloat("llama.rope.freq_base")).isEqualTo(500000f);
            assertThat(f.metadata().getInt("llama.context_length")).isEqualTo(128);
            assertThat(f.metadata().getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(f.requireTensor("token_embd.weight").type()).isEqualTo(TensorType.Q4_0);
            assertThat(f.requireTensor("token_embd.weight").shape()).containsExactly(64, 32000);
            assertThat(f.requireTensor("blk.1.attn_k.weight").shape()).containsExactly(64, 32);
            assertThat(f.requireTensor("output.weight").type()).isEqualTo(TensorType.Q4_0);
        }
    }

    @Test
    void aKnownShapeWithOverriddenLayersKeepsItsOtherSizes() {
        Path out = dir.resolve("l32.gguf");
        Run r = braid("model", "synth", "--shape", "llama-3.2-1b", "--layers", "1", "--dim", "512", "--type", "q8_0",
                "--vocab", shared("models/stories260K.gguf").toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.metadata().getInt("llama.embedding_length")).isEqualTo(512);
            assertThat(f.metadata().getInt("llama.attention.head_count")).isEqualTo(32);
            assertThat(f.metadata().getFloat("llama.rope.freq_base")).isEqualTo(500000f);
            assertThat(f.metadata().getInt("llama.feed_forward_length")).isEqualTo(8192);
            assertThat(f.metadata().getInt("llama.attention.head_count_kv")).isEqualTo(8);
            assertThat(f.metadata().getInt("llama.block_count")).isEqualTo(1);
            assertThat(f.metadata().getInt("llama.context_length")).isEqualTo(8192);
            assertThat(f.tensor("output.weight")).isEmpty();   // Llama 3.2 1B ties its embeddings
            assertThat(f.requireTensor("blk.0.ffn_down.weight").shape()).containsExactly(8192, 512);
        }
    }

    @Test
    void badArgumentsGetOneLineErrors() {
        String vocab = shared("models/stories260K.gguf").toString();
        Path out = dir.resolve("x.gguf");
        Run unknown = braid("model", "synth", "--shape", "gpt-9", "--type", "q8_0", "--vocab", vocab, "--out", out.toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("braid model synth: unknown shape 'gpt-9'; known: stories260k, tinyllama-1.1b,"
                + " llama-3.2-1b, llama-2-7b" + System.lineSeparator());
        Run partial = braid("model", "synth", "--dim", "64", "--type", "f32", "--vocab", vocab, "--out", out.toString());
        assertThat(partial.err()).startsWith("braid model synth: give --shape NAME, or all of --dim, --hidden, --layers and --heads");
        Run badType = braid("model", "synth", "--shape", "stories260k", "--type", "q5_k", "--vocab", vocab, "--out", out.toString());
        assertThat(badType.err()).startsWith("braid model synth: unknown --type 'q5_k'; use q8_0, q4_0, f16 or f32");
        Run blocks = braid("model", "synth", "--shape", "stories260k", "--type", "q8_0", "--vocab", vocab, "--out", out.toString());
        assertThat(blocks.err()).contains("hidden (172) must be multiples of 32; use --type f16 or f32");
        Path missing = dir.resolve("nope.gguf");
        Run noVocab = braid("model", "synth", "--shape", "stories260k", "--type", "f32", "--vocab", missing.toString(),
                "--out", out.toString());
        assertThat(noVocab.err()).isEqualTo("braid model synth: " + missing + ": no such file" + System.lineSeparator());
        assertThat(out).doesNotExist();
        Run help = braid("model");
        assertThat(help.out()).contains("synth");
    }
}
