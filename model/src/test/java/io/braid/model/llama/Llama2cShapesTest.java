package io.braid.model.llama;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.RopeLayout;
import io.braid.tensor.TensorType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * llama2.c checkpoints of other shapes (GQA or not, shared or separate classifier), written here in run.c's layout;
 * the engine's logits are checked against {@link NaiveLlama} built from the arrays this test wrote (not from the
 * engine's reader).
 */
class Llama2cShapesTest {

    @TempDir
    Path dir;

    private final Random rnd = new Random(5);

    private float[] random(int n, float scale, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + scale * (float) rnd.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest(name = "dim={0} hidden={1} layers={2} heads={3}/{4} vocab={5} shared={6}")
    @CsvSource({"16, 24, 2, 4, 2, 20, true", "16, 40, 3, 2, 2, 33, false", "24, 20, 1, 6, 1, 17, false"})
    void engineMatchesNaiveOnWrittenCheckpoint(int dim, int hidden, int layers, int heads, int kvHeads, int vocab,
                                               boolean shared) throws IOException {
        int seq = 32;
        int hs = dim / heads;
        int kvDim = kvHeads * hs;
        float[] embed = random(vocab * dim, 1f, 0f);
        float[][] attNorm = new float[layers][], ffnNorm = new float[layers][];
        float[][] wq = new float[layers][], wk = new float[layers][], wv = new float[layers][], wo = new float[layers][];
        float[][] w1 = new float[layers][], w2 = new float[layers][], w3 = new float[layers][];
        for (int l = 0; l < layers; l++) {
            attNorm[l] = random(dim, 0.2f, 1f);
            ffnNorm[l] = random(dim, 0.2f, 1f);
            wq[l] = random(dim * dim, 0.3f, 0f);
            wk[l] = random(kvDim * dim, 0.3f, 0f);
            wv[l] = random(kvDim * dim, 0.3f, 0f);
            wo[l] = random(dim * dim, 0.3f, 0f);
            w1[l] = random(hidden * dim, 0.3f, 0f);
            w2[l] = random(dim * hidden, 0.3f, 0f);
            w3[l] = random(hidden * dim, 0.3f, 0f);
        }
        float[] finalNorm = random(dim, 0.2f, 1f);
        float[] cls = shared ? embed : random(vocab * dim, 0.5f, 0f);
        Path file = dir.resolve("model.bin");
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer h = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kvHeads).putInt(shared ? vocab : -vocab).putInt(seq);
            out.write(h.array());
            write(out, embed);
            for (float[][] group : new float[][][]{attNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3}) {
                for (float[] a : group) {
                    write(out, a);
                }
            }
            write(out, finalNorm);
            write(out, new float[seq * hs / 2]);
            write(out, new float[seq * hs / 2]);
            if (!shared) {
                write(out, cls);
            }
        }
        LlamaConfig config = new LlamaConfig("llama", dim, hidden, layers, heads, kvHeads, hs, vocab, seq, 1e-5f,
                10000f, RopeLayout.INTERLEAVED, shared);
        Arena arena = Arena.ofAuto();
        LayerWeights[] lw = new LayerWeights[layers];
        for (int l = 0; l < layers; l++) {
            lw[l] = new LayerWeights(attNorm[l], f32(wq[l], dim, dim, arena), f32(wk[l], kvDim, dim, arena),
                    f32(wv[l], kvDim, dim, arena), f32(wo[l], dim, dim, arena), ffnNorm[l],
                    f32(w1[l], hidden, dim, arena), f32(w3[l], hidden, dim, arena), f32(w2[l], dim, hidden, arena));
        }
        NaiveLlama naive = new NaiveLlama(config, f32(embed, vocab, dim, arena), lw, finalNorm, f32(cls, vocab, dim, arena));

        try (LlamaModel model = LlamaModel.open(file); Compute compute = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            assertThat(model.config()).isEqualTo(config);
            LocalSpanChain chain = LocalSpanChain.of(model, compute, seq);
            float[] logits = new float[vocab];
            int[] tokens = {1, 3, vocab - 1, 0, 5, 5, 2};
            for (int p = 0; p < tokens.length; p++) {
                float[] expected = naive.forward(tokens[p], p);
                float[] row = model.embedding().lookup(new int[]{tokens[p]});
                chain.forward(row, 1, p);
                model.head().logits(compute, row, 1, logits);
                for (int i = 0; i < vocab; i++) {
                    assertThat(logits[i]).as("pos %d logit %d", p, i).isCloseTo(expected[i], within(1e-4f));
                }
            }
        }
    }

    private static Matrix f32(float[] v, int rows, int cols, Arena arena) {
        return Matrix.quantize(TensorType.F32, v, rows, cols, arena);
    }

    private static void write(OutputStream out, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        out.write(b.array());
    }
}
