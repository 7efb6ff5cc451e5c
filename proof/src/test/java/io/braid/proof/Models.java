package io.braid.proof;

import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufTensorInfo;
import io.braid.model.llama2c.Llama2cCheckpoint;
import io.braid.model.synth.ModelShape;
import io.braid.model.synth.SyntheticModel;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test model files: span tensors for identities, and the cheaters' altered copies. */
final class Models {
    private Models() {
    }

    /** The tensors of layers [from, to) of a GGUF or llama2.c file (views of an open file; caller keeps it open). */
    static ModelIdentityResult spanRoot(Path file, int from, int to) {
        List<ModelIdentity.NamedTensor> ts = new ArrayList<>();
        if (file.toString().endsWith(".gguf")) {
            try (GgufFile g = GgufFile.open(file)) {
                for (GgufTensorInfo t : g.tensors()) {
                    for (int l = from; l < to; l++) {
                        if (t.name().startsWith("blk." + l + ".")) ts.add(new ModelIdentity.NamedTensor(t.name(), g.tensorData(t.name())));
                    }
                }
                return new ModelIdentityResult(ModelIdentity.root(ts), ts.size());
            }
        }
        try (Llama2cCheckpoint c = Llama2cCheckpoint.open(file)) {
            for (Llama2cCheckpoint.Weight w : Llama2cCheckpoint.Weight.values()) {
                if (!w.perLayer()) continue;
                for (int l = from; l < to; l++) ts.add(new ModelIdentity.NamedTensor(w.name() + "." + l, c.segment(w, l)));
            }
            return new ModelIdentityResult(ModelIdentity.root(ts), ts.size());
        }
    }

    record ModelIdentityResult(io.braid.crypto.Hash32 root, int tensors) {
    }

    /** A llama2.c copy with every weight multiplied by (1 + rel·N(0,1)) — a "fine-tuned" / perturbed model. */
    static Path perturbed(Path bin, Path out, double rel, long seed) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        Random rnd = new Random(seed);
        for (int off = Llama2cCheckpoint.HEADER_BYTES; off + 4 <= b.capacity(); off += 4) {
            b.putFloat(off, (float) (b.getFloat(off) * (1 + rel * rnd.nextGaussian())));
        }
        Files.write(out, b.array());
        return out;
    }

    /** A llama2.c copy whose weights went through Q4_0 and back (a node that runs lower precision). */
    static Path requantizedQ4(Path bin, Path out) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        int n = (b.capacity() - Llama2cCheckpoint.HEADER_BYTES) / 4 / 32 * 32;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = b.getFloat(Llama2cCheckpoint.HEADER_BYTES + 4 * i);
        try (Arena arena = Arena.ofConfined()) {
            Matrix q = Matrix.quantize(TensorType.Q4_0, v, n / 32, 32, arena);
            float[] row = new float[32];
            for (int r = 0; r < n / 32; r++) {
                q.dequantizeRow(r, row, 0);
                for (int j = 0; j < 32; j++) b.putFloat(Llama2cCheckpoint.HEADER_BYTES + 4 * (r * 32 + j), row[j]);
            }
        }
        Files.write(out, b.array());
        return out;
    }

    /** A small synthetic Q8_0 Llama (dim 256, 4 layers) with the llama-spm vocabulary. */
    static Path synthetic(Path dir, long seed) {
        ModelShape shape = new ModelShape(256, 704, 4, 8, 4, 256, 10000f, 1e-5f, true);
        Path vocab = Shared.dir().resolve("models/vocab/ggml-vocab-llama-spm.gguf");
        return new SyntheticModel(shape, "synth-proof", TensorType.Q8_0, seed, 2).write(vocab, dir.resolve("synth-" + seed + ".gguf")).file();
    }
}
