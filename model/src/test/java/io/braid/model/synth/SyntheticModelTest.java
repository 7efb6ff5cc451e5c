package io.braid.model.synth;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufTensorInfo;
import io.braid.model.gguf.GgufWriter;
import io.braid.model.gguf.GgufValue;
import io.braid.model.testdata.SharedData;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SyntheticModelTest {

    @TempDir
    Path dir;

    /** dim 64, hidden 96, 3 layers, 4 heads, 2 KV heads (GQA), context 256, theta 5e5, untied. */
    private static final ModelShape SMALL = new ModelShape(64, 96, 3, 4, 2, 256, 500000f, 1e-5f, false);

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void writesALlamaGgufThatReadsBackWithTheExpectedMetadataTensorsAndScale(TensorType type) {
        Path vocab = SharedData.model("stories260K.gguf");
        Path out = dir.resolve("m.gguf");
        SyntheticModel.Result r = new SyntheticModel(SMALL, "small", type, 1, 2).write(vocab, out);
        assertThat(r.vocabSize()).isEqualTo(512);
        assertThat(r.tensors()).isEqualTo(1 + 3 * 9 + 2);
        try (GgufFile f = GgufFile.open(out); GgufFile v = GgufFile.open(vocab)) {
            GgufMetadata m = f.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getInt("general.file_type")).isEqualTo(SyntheticModel.fileType(type));
            assertThat(m.getInt("llama.vocab_size")).isEqualTo(512);
            assertThat(m.getInt("llama.context_length")).isEqualTo(256);
            assertThat(m.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("llama.block_count")).isEqualTo(3);
            assertThat(m.getInt("llama.feed_forward_length")).isEqualTo(96);
            assertThat(m.getInt("llama.rope.dimension_count")).isEqualTo(16);
            assertThat(m.getFloat("llama.rope.freq_base")).isEqualTo(500000f);
            assertThat(m.getInt("llama.attention.head_count")).isEqualTo(4);
            assertThat(m.getInt("llama.attention.head_count_kv")).isEqualTo(2);
            assertThat(m.getFloat("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
            for (String k : v.metadata().keys()) {
                if (k.startsWith("tokenizer.")) {
                    assertThat(m.value(k)).as(k).isEqualTo(v.metadata().value(k));
                }
            }
            assertThat(m.keys()).contains("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.model");

            expect(f, "token_embd.weight", type, 64, 512);
            for (int l = 0; l < 3; l++) {
                String b = "blk." + l + ".";
                expect(f, b + "attn_norm.weight", TensorType.F32, 64);
                expect(f, b + "attn_q.weight", type, 64, 64);
                expect(f, b + "attn_k.weight", type, 64, 32);
                expect(f, b + "attn_v.weight", type, 64, 32);
                expect(f, b + "attn_output.weight", type, 64, 64);
                expect(f, b + "ffn_norm.weight", TensorType.F32, 64);
                expect(f, b + "ffn_gate.weight", type, 64, 96);
                expect(f, b + "ffn_up.weight", type, 64, 96);
                expect(f, b + "ffn_down.weight", type, 96, 64);
                assertThat(f.floats(b + "ffn_norm.weight")).containsOnly(1f);
            }
            expect(f, "output_norm.weight", TensorType.F32, 64);
            expect(f, "output.weight", type, 64, 512);

            // every weight matrix is finite, centred, with standard deviation ~0.02 (quantization adds a little noise)
            for (GgufTensorInfo t : f.tensors()) {
                if (t.rank() != 2) {
                    continue;
                }
                Matrix w = f.matrix(t.name());
                float[] row = new float[w.cols()];
                double sum = 0, sq = 0;
                for (int rr = 0; rr < w.rows(); rr++) {
                    w.dequantizeRow(rr, row, 0);
                    for (float x : row) {
                        assertThat(Float.isFinite(x)).isTrue();
                        sum += x;
                        sq += (double) x * x;
                    }
                }
                long n = (long) w.rows() * w.cols();
                double mean = sum / n;
                double std = Math.sqrt(sq / n - mean * mean);
                assertThat(mean).as(t.name()).isCloseTo(0, within(0.002));
                assertThat(std).as(t.name()).isCloseTo(0.02, within(type == TensorType.Q4_0 ? 0.003 : 0.0015));
            }
        }
    }

    private static void expect(GgufFile f, String name, TensorType type, long... shape) {
        GgufTensorInfo t = f.requireTensor(name);
        assertThat(t.type()).as(name).isEqualTo(type);
        assertThat(t.shape()).as(name).containsExactly(shape);
    }

    @Test
    void isDeterministicForASeedWhateverTheThreadCount() throws IOException {
        Path vocab = SharedData.model("stories260K.gguf");
        // big enough for several chunks per matrix: 256 x 512 embedding, 512 x 256 FFN
        ModelShape shape = new ModelShape(256, 512, 2, 8, 8, 128, 10000f, 1e-5f, true);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        new SyntheticModel(shape, "s", TensorType.Q8_0, 42, 1).write(vocab, a);
        new SyntheticModel(shape, "s", TensorType.Q8_0, 42, 3).write(vocab, b);
        new SyntheticModel(shape, "s", TensorType.Q8_0, 43, 2).write(vocab, c);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
        try (GgufFile f = GgufFile.open(a)) {
            assertThat(f.tensor("output.weight")).isEmpty();   // tied: the head is token_embd
            assertThat(f.metadata().getLong("braid.synthetic.seed")).isEqualTo(42);
            // different tensors (and chunks) get different numbers
            assertThat(f.matrix("blk.0.attn_q.weight").get(0, 0)).isNotEqualTo(f.matrix("blk.0.attn_k.weight").get(0, 0));
        }
    }

    @Test
    void knownShapesMatchTheRealModels() {
        ModelShape tiny = ModelShape.named("TinyLlama-1.1B").orElseThrow();
        assertThat(tiny).isEqualTo(new ModelShape(2048, 5632, 22, 32, 4, 2048, 10000f, 1e-5f, false));
        assertThat(tiny.parameterCount(32000)).isEqualTo(1_100_048_384L);   // TinyLlama-1.1B's published count
        ModelShape l32 = ModelShape.named("llama-3.2-1b").orElseThrow();
        assertThat(l32.tiedEmbeddings()).isTrue();
        assertThat(l32.ropeTheta()).isEqualTo(500000f);
        assertThat(l32.parameterCount(128256)).isEqualTo(1_235_814_400L); // Llama-3.2-1B's published count
        ModelShape l7 = ModelShape.named("llama-2-7b").orElseThrow();
        assertThat(l7.parameterCount(32000)).isEqualTo(6_738_415_616L);  // Llama-2-7B's published count
        assertThat(ModelShape.named("stories260k").orElseThrow().kvDim()).isEqualTo(32);
        assertThat(ModelShape.names()).containsExactly("stories260k", "tinyllama-1.1b", "llama-3.2-1b", "llama-2-7b");
        assertThat(ModelShape.named("gpt-5")).isEmpty();
    }

    @Test
    void rejectsShapesTheTypeCannotHoldAndVocabulariesWithoutTokens() throws IOException {
        ModelShape stories = ModelShape.named("stories260k").orElseThrow();
        assertThatThrownBy(() -> new SyntheticModel(stories, "s", TensorType.Q8_0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Q8_0 stores rows in blocks of 32: dim (64) and hidden (172) must be multiples of 32;"
                        + " use --type f16 or f32 for this shape");
        assertThatThrownBy(() -> new ModelShape(64, 96, 2, 5, 5, 16, 1e4f, 1e-5f, false))
                .hasMessage("dim 64 must split into 5 heads of even size");
        assertThatThrownBy(() -> new ModelShape(64, 96, 2, 4, 3, 16, 1e4f, 1e-5f, false))
                .hasMessage("heads 4 must be a multiple of kv-heads 3");
        Path noTokens = dir.resolve("no-tokens.gguf");
        new GgufWriter().put("general.architecture", GgufValue.string("llama")).write(noTokens);
        Path out = dir.resolve("out.gguf");
        assertThatThrownBy(() -> new SyntheticModel(SMALL, "s", TensorType.F32, 1, 1).write(noTokens, out))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(noTokens + ": missing metadata key 'tokenizer.ggml.tokens'");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("no-tokens.gguf"));
        }
        // f32 works for the real stories260K shape (hidden 172 is not a multiple of 32)
        new SyntheticModel(stories, "stories260k", TensorType.F32, 1, 1).write(SharedData.model("stories260K.gguf"), out);
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.requireTensor("blk.4.ffn_down.weight").shape()).containsExactly(172, 64);
        }
    }
}
