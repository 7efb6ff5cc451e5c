package io.braid.model.llama;

import io.braid.model.gguf.GgufValue;
import io.braid.model.gguf.GgufWriter;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Random;

/** Writes tiny random-weight Llama GGUF files of any shape and tensor type for tests. */
final class TinyModels {

    private TinyModels() {
    }

    /** A model shape plus the file-level choices a test varies. */
    record Spec(String arch, int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int context,
                TensorType type, boolean tied, float ropeTheta) {
    }

    static Path write(Path dir, Spec s, long seed) {
        Random rnd = new Random(seed);
        GgufWriter w = new GgufWriter();
        String a = s.arch();
        w.put("general.architecture", GgufValue.string(a));
        w.put(a + ".embedding_length", GgufValue.uint32(s.dim()));
        w.put(a + ".feed_forward_length", GgufValue.uint32(s.hidden()));
        w.put(a + ".block_count", GgufValue.uint32(s.layers()));
        w.put(a + ".attention.head_count", GgufValue.uint32(s.heads()));
        w.put(a + ".attention.head_count_kv", GgufValue.uint32(s.kvHeads()));
        w.put(a + ".context_length", GgufValue.uint32(s.context()));
        w.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.float32(1e-5f));
        w.put(a + ".rope.freq_base", GgufValue.float32(s.ropeTheta()));
        int hs = s.dim() / s.heads();
        int kvDim = s.kvHeads() * hs;
        Arena arena = Arena.ofAuto();
        matrix(w, arena, rnd, "token_embd.weight", s.type(), s.vocab(), s.dim(), 1f);
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            norm(w, rnd, p + "attn_norm.weight", s.dim());
            matrix(w, arena, rnd, p + "attn_q.weight", s.type(), s.dim(), s.dim(), 0.3f);
            matrix(w, arena, rnd, p + "attn_k.weight", s.type(), kvDim, s.dim(), 0.3f);
            matrix(w, arena, rnd, p + "attn_v.weight", s.type(), kvDim, s.dim(), 0.3f);
            matrix(w, arena, rnd, p + "attn_output.weight", s.type(), s.dim(), s.dim(), 0.3f);
            norm(w, rnd, p + "ffn_norm.weight", s.dim());
            matrix(w, arena, rnd, p + "ffn_gate.weight", s.type(), s.hidden(), s.dim(), 0.3f);
            matrix(w, arena, rnd, p + "ffn_up.weight", s.type(), s.hidden(), s.dim(), 0.3f);
            matrix(w, arena, rnd, p + "ffn_down.weight", s.type(), s.dim(), s.hidden(), 0.3f);
        }
        norm(w, rnd, "output_norm.weight", s.dim());
        if (!s.tied()) {
            matrix(w, arena, rnd, "output.weight", s.type(), s.vocab(), s.dim(), 0.5f);
        }
        Path out = dir.resolve(a + "-" + s.type() + "-" + s.dim() + "x" + s.layers() + (s.tied() ? "-tied" : "") + ".gguf");
        w.write(out);
        return out;
    }

    private static void matrix(GgufWriter w, Arena arena, Random rnd, String name, TensorType type, int rows, int cols,
                               float scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian() * scale;
        }
        Matrix m = Matrix.quantize(type, v, rows, cols, arena);
        w.addTensor(name, type, new long[]{cols, rows}, m.data());
    }

    private static void norm(GgufWriter w, Random rnd, String name, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 1f + 0.2f * (float) rnd.nextGaussian();
        }
        Matrix m = Matrix.quantize(TensorType.F32, v, 1, n, Arena.ofAuto());
        w.addTensor(name, TensorType.F32, new long[]{n}, m.data());
    }
}
