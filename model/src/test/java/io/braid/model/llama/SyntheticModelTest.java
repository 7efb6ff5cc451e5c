package io.braid.model.llama;

import io.braid.model.ModelFormatException;
import io.braid.tensor.Compute;
import io.braid.tensor.RopeLayout;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine on random models of odd shapes and every tensor type (GQA or not, tied or untied head, both RoPE
 * layouts) against {@link NaiveLlama}, a scalar forward pass over the same dequantized weights.
 */
class SyntheticModelTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1} dim={2} heads={5}/{6} tied={8}")
    @CsvSource({
            // arch,  type, dim, hidden, layers, heads, kvHeads, vocab, tied
            "llama, F32, 24, 40, 3, 3, 1, 37, false",
            "llama, F16, 24, 40, 2, 3, 3, 37, true",
            "llama, BF16, 40, 56, 2, 5, 5, 29, false",
            "llama, Q8_0, 64, 96, 3, 4, 2, 50, false",
            "llama, Q8_0, 64, 96, 2, 8, 8, 33, true",
            "llama, Q4_0, 64, 96, 2, 4, 1, 50, true",
            "llama, Q4_0, 96, 160, 2, 6, 3, 41, false",
            "qwen2, F32, 32, 48, 2, 4, 2, 31, false",
            "qwen2, Q8_0, 64, 64, 2, 2, 1, 31, true"})
    void engineMatchesNaiveReference(String arch, TensorType type, int dim, int hidden, int layers, int heads,
                                     int kvHeads, int vocab, boolean tied) {
        TinyModels.Spec spec = new TinyModels.Spec(arch, dim, hidden, layers, heads, kvHeads, vocab, 64, type, tied, 5000f);
        Path file = TinyModels.write(dir, spec, 17 + dim + layers);
        int[] tokens = {1, 5, vocab - 1, 0, 7, 7, 3, vocab / 2, 2, 11};
        try (LlamaModel model = LlamaModel.open(file); Compute compute = new Compute(2, Compute.Mode.FAST)) {
            LlamaConfig c = model.config();
            assertThat(c.ropeLayout()).isEqualTo(arch.equals("llama") ? RopeLayout.INTERLEAVED : RopeLayout.HALF_SPLIT);
            assertThat(c.tiedHead()).isEqualTo(tied);
            assertThat(c.kvHeads()).isEqualTo(kvHeads);
            assertThat(c.ropeTheta()).isEqualTo(5000f);
            NaiveLlama naive = NaiveLlama.of(model, model.weights());
            float[][] expected = new float[tokens.length][];
            for (int p = 0; p < tokens.length; p++) {
                expected[p] = naive.forward(tokens[p], p);
            }
            // Prefill 6 tokens as one batch, then one at a time: every position's logits must match the naive pass.
            LocalSpanChain chain = LocalSpanChain.of(model, compute, 16);
            float[] x = model.embedding().lookup(Arrays.copyOf(tokens, 6));
            chain.forward(x, 6, 0);
            float[] logits = new float[6 * vocab];
            model.head().logits(compute, x, 6, logits);
            for (int p = 0; p < 6; p++) {
                assertClose(Arrays.copyOfRange(logits, p * vocab, (p + 1) * vocab), expected[p], "prefill pos " + p);
            }
            float[] one = new float[vocab];
            for (int p = 6; p < tokens.length; p++) {
                float[] row = model.embedding().lookup(new int[]{tokens[p]});
                chain.forward(row, 1, p);
                model.head().logits(compute, row, 1, one);
                assertClose(one, expected[p], "decode pos " + p);
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s logit %d", what, i).isCloseTo(expected[i],
                    org.assertj.core.api.Assertions.within(1e-4 * Math.max(1, scale)));
        }
    }

    @Test
    void unsupportedArchitectureAndExtraTensorsAreOneLineErrors() {
        TinyModels.Spec bert = new TinyModels.Spec("bert", 24, 40, 1, 3, 3, 20, 32, TensorType.F32, true, 10000f);
        Path file = TinyModels.write(dir, bert, 1);
        assertThatThrownBy(() -> LlamaModel.open(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining("'bert' is not supported");

        TinyModels.Spec qwen = new TinyModels.Spec("qwen2", 24, 40, 1, 3, 3, 20, 32, TensorType.F32, true, 10000f);
        Path plain = TinyModels.write(dir, qwen, 1);
        Path biased = dir.resolve("biased.gguf");
        try (io.braid.model.gguf.GgufFile f = io.braid.model.gguf.GgufFile.open(plain)) {
            io.braid.model.gguf.GgufWriter w = io.braid.model.gguf.GgufWriter.copyOf(f);
            w.addTensor("blk.0.attn_q.bias", TensorType.F32, new long[]{24},
                    java.lang.foreign.MemorySegment.ofArray(new float[24]));
            w.write(biased);
        }
        assertThatThrownBy(() -> LlamaModel.open(biased)).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(biased.toString()).hasMessageContaining("blk.0.attn_q.bias");
    }

    @Test
    void tensorOfTheWrongShapeIsAOneLineError() {
        TinyModels.Spec spec = new TinyModels.Spec("llama", 24, 40, 1, 3, 3, 20, 32, TensorType.F32, true, 10000f);
        Path file = TinyModels.write(dir, spec, 1);
        Path lying = dir.resolve("lying.gguf");
        try (io.braid.model.gguf.GgufFile f = io.braid.model.gguf.GgufFile.open(file)) {
            io.braid.model.gguf.GgufWriter w = io.braid.model.gguf.GgufWriter.copyOf(f);
            w.put("llama.feed_forward_length", io.braid.model.gguf.GgufValue.uint32(48));
            w.write(lying);
        }
        try (LlamaModel m = LlamaModel.open(lying)) {
            assertThatThrownBy(() -> m.span(0, 1)).isInstanceOf(ModelFormatException.class)
                    .hasMessageStartingWith(lying.toString()).hasMessageContaining("ffn_gate.weight");
        }
    }

    @Test
    void llama2TinyRandomRunsThroughTheEngine() {
        // A real GGUF from another producer: F16 matrices, 32k vocab, head size 4.
        try (LlamaModel model = LlamaModel.open(Shared.path("models/llama-2-tiny-random.gguf"));
             Compute compute = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            LlamaConfig c = model.config();
            assertThat(c.dim()).isEqualTo(8);
            assertThat(c.vocabSize()).isEqualTo(32000);
            assertThat(c.headSize()).isEqualTo(4);
            NaiveLlama naive = NaiveLlama.of(model, model.weights());
            LocalSpanChain chain = LocalSpanChain.of(model, compute, 8);
            float[] logits = new float[32000];
            int token = 1;
            for (int p = 0; p < 4; p++) {
                float[] expected = naive.forward(token, p);
                float[] row = model.embedding().lookup(new int[]{token});
                chain.forward(row, 1, p);
                model.head().logits(compute, row, 1, logits);
                assertClose(logits, expected, "pos " + p);
                token = Sampler.argmax(logits, 0, 32000);
            }
        }
    }
}
