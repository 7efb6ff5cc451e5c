package io.braid.model.gguf;

import io.braid.model.ModelFormatException;
import io.braid.model.testdata.SharedData;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufFileTest {

    @Test
    void readsStories260kHeaderMetadataAndTensorDirectory() {
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.alignment()).isEqualTo(32);
            assertThat(f.dataStart()).isEqualTo(14176);
            GgufMetadata m = f.metadata();
            assertThat(m.size()).isEqualTo(19);
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.type("llama.context_length")).isEqualTo(GgufValueType.UINT32);
            assertThat(m.getInt("llama.context_length")).isEqualTo(2048);
            assertThat(m.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(m.getFloat("llama.attention.layer_norm_rms_epsilon")).isEqualTo(9.999999747378752e-06f);
            assertThat(m.getFloat("llama.rope.freq_base", 10000f)).isEqualTo(10000f);
            // 0xFFFFFFFF is llama.cpp's "no token": getInt keeps the bits, getLong the value
            assertThat(m.getInt("tokenizer.ggml.seperator_token_id")).isEqualTo(-1);
            assertThat(m.getLong("tokenizer.ggml.seperator_token_id")).isEqualTo(4294967295L);
            List<String> tokens = m.getStringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(512).startsWith("<unk>", "<s>", "</s>", "<0x00>");
            assertThat(m.getFloatArray("tokenizer.ggml.scores")).hasSize(512);
            assertThat(m.getIntArray("tokenizer.ggml.token_type")).hasSize(512).startsWith(2, 3, 3, 6);
            assertThat(m.asMap()).containsEntry("general.name", "llama").hasSize(19);

            assertThat(f.tensors()).hasSize(48);
            assertThat(f.tensors().getFirst())
                    .isEqualTo(new GgufTensorInfo("token_embd.weight", TensorType.F32, new long[] {64, 512}, 0));
            GgufTensorInfo k = f.requireTensor("blk.0.attn_k.weight");
            assertThat(k.shape()).containsExactly(64, 32);
            assertThat(k.offset()).isEqualTo(278784);
            GgufTensorInfo last = f.tensors().getLast();
            assertThat(f.dataStart() + last.offset() + last.byteSize()).isEqualTo(1185376);
            assertThat(f.tensor("nope")).isEmpty();
        }
    }

    @Test
    void tensorDataIsASliceOfTheMappingAndMatchesTheLlama2cCheckpoint() throws IOException {
        float[] bin = llama2cTokenEmbedding(SharedData.model("stories260K.bin"), 512 * 64);
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            MemorySegment data = f.tensorData("token_embd.weight");
            assertThat(data.isMapped()).isTrue();
            assertThat(data.address()).isEqualTo(f.segment().address() + f.dataStart());
            assertThat(data.byteSize()).isEqualTo(512 * 64 * 4);
            Matrix emb = f.matrix("token_embd.weight");
            assertThat(emb.type()).isEqualTo(TensorType.F32);
            assertThat(emb.rows()).isEqualTo(512);
            assertThat(emb.cols()).isEqualTo(64);
            for (int r = 0; r < 512; r++) {
                for (int c = 0; c < 64; c++) {
                    assertThat(emb.get(r, c)).isEqualTo(bin[r * 64 + c]);
                }
            }
            Matrix wk = f.matrix("blk.0.attn_k.weight");
            assertThat(wk.rows()).isEqualTo(32);
            assertThat(wk.cols()).isEqualTo(64);
            float[] norm = f.floats("output_norm.weight");
            assertThat(norm).hasSize(64);
            assertThat(norm[5]).isEqualTo(f.matrix("output_norm.weight").get(0, 5));
        }
    }

    @Test
    void readsF16TensorsOfTheTinyRandomModel() {
        try (GgufFile f = GgufFile.open(SharedData.model("llama-2-tiny-random.gguf"))) {
            assertThat(f.metadata().getInt("llama.block_count")).isEqualTo(1);
            assertThat(f.tensors()).hasSize(12);
            Matrix emb = f.matrix("token_embd.weight");
            assertThat(emb.type()).isEqualTo(TensorType.F16);
            assertThat(emb.rows()).isEqualTo(32000);
            assertThat(emb.cols()).isEqualTo(8);
            Matrix down = f.matrix("blk.0.ffn_down.weight");
            assertThat(down.rows()).isEqualTo(8);
            assertThat(down.cols()).isEqualTo(32);
            float[] row = new float[32];
            down.dequantizeRow(7, row, 0);
            for (float v : row) {
                assertThat(Float.isFinite(v)).isTrue();
            }
            assertThat(f.requireTensor("output.weight").byteSize()).isEqualTo(8L * 32000 * 2);
        }
    }

    @Test
    void readsEveryVocabularyFileIncludingThoseWhoseDataSectionStartsPastTheEnd() throws IOException {
        Map<String, Integer> expectedTokens = Map.of("ggml-vocab-llama-spm.gguf", 32000,
                "ggml-vocab-gpt-2.gguf", 50257, "ggml-vocab-deepseek-llm.gguf", 102400,
                "ggml-vocab-bert-bge.gguf", 30522, "ggml-vocab-phi-3.gguf", 32064);
        try (var files = Files.list(SharedData.root().resolve("models/vocab"))) {
            List<Path> ggufs = files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
            assertThat(ggufs).hasSize(12);
            for (Path p : ggufs) {
                try (GgufFile f = GgufFile.open(p)) {
                    assertThat(f.tensors()).isEmpty();
                    int n = f.metadata().getStringArray("tokenizer.ggml.tokens").size();
                    Integer expected = expectedTokens.get(p.getFileName().toString());
                    if (expected != null) {
                        assertThat(n).as(p.toString()).isEqualTo(expected);
                    }
                }
            }
        }
        try (GgufFile f = GgufFile.open(SharedData.model("vocab/ggml-vocab-bert-bge.gguf"))) {
            assertThat(f.metadata().getBoolean("bert.attention.causal")).isFalse();
            assertThat(f.metadata().getFloat("bert.attention.layer_norm_epsilon")).isEqualTo(1e-12f);
        }
        try (GgufFile f = GgufFile.open(SharedData.model("vocab/ggml-vocab-deepseek-coder.gguf"))) {
            assertThat(f.metadata().getStringArray("tokenizer.ggml.merges")).hasSize(31757).startsWith("Ġ Ġ");
            assertThat(f.metadata().getBoolean("tokenizer.ggml.add_bos_token")).isTrue();
        }
    }

    @Test
    void typedGettersNameTheKeyAndTheTypeWhenTheyCannotConvert() {
        Path file = SharedData.model("stories260K.gguf");
        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata m = f.metadata();
            assertThatThrownBy(() -> m.getString("llama.block_count"))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessage(file + ": metadata key 'llama.block_count' is uint32, expected a string");
            assertThatThrownBy(() -> m.getInt("no.such.key"))
                    .hasMessage(file + ": missing metadata key 'no.such.key'");
            assertThatThrownBy(() -> m.getFloatArray("tokenizer.ggml.tokens"))
                    .hasMessageContaining("expected an array of numbers");
            assertThatThrownBy(() -> f.matrix("missing.weight"))
                    .hasMessage(file + ": no tensor 'missing.weight'");
        }
    }

    @Test
    void closeUnmapsAndIsIdempotent() {
        GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"));
        MemorySegment data = f.tensorData("output_norm.weight");
        f.close();
        f.close();
        assertThatThrownBy(() -> data.get(GgufFile.F32, 0)).isInstanceOf(IllegalStateException.class);
    }

    private static float[] llama2cTokenEmbedding(Path bin, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(7 * 4);
        float[] out = new float[n];
        b.asFloatBuffer().get(out);
        return out;
    }
}
