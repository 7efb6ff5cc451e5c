package io.braid.model.synth;

import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufValue;
import io.braid.model.gguf.GgufWriter;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a random-weight Llama GGUF of a given {@link ModelShape}, with a real vocabulary copied from another
 * GGUF: a stand-in for a real model in benchmarks and capacity tests (same tensors, shapes, types and therefore the
 * same cost per token; the text it generates is noise).
 *
 * <p>Weights are approximately N(0, 0.02²) — the usual initialisation scale, small enough that activations stay
 * finite through any number of layers — drawn as an Irwin–Hall sum of four 16-bit uniforms from one
 * {@link SplittableRandom} long per weight (fast, and bounded at ±3.5σ). Norm weights are 1. Generation is
 * streamed chunk by chunk straight into the memory-mapped output, in parallel; each chunk has its own generator
 * seeded from (seed, tensor, chunk), so the file is identical for a seed whatever the thread count.
 */
public final class SyntheticModel {

    /** Standard deviation of the random weights. */
    public static final float WEIGHT_STD = 0.02f;
    /** Weights generated per chunk (one generator and one quantization call each). */
    private static final int CHUNK_ELEMENTS = 1 << 18;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Irwin–Hall(4) of 16-bit uniforms: mean 4 * 65535 / 2, standard deviation sqrt(4 * (65536² - 1) / 12). */
    private static final double IH_MEAN = 2.0 * 65535;
    private static final double IH_STD = Math.sqrt(4.0 * (65536.0 * 65536.0 - 1) / 12.0);

    /** What was written. */
    public record Result(Path file, int vocabSize, long parameters, int tensors, long fileBytes) {
    }

    private record Spec(String name, TensorType type, long[] shape, boolean norm) {
    }

    private final ModelShape shape;
    private final String name;
    private final TensorType type;
    private final long seed;
    private final int threads;

    /**
     * @param name    recorded in {@code general.name} (e.g. the shape's name)
     * @param type    type of the weight matrices and the token embedding (norms are always F32)
     * @param threads generator threads (the output does not depend on it)
     */
    public SyntheticModel(ModelShape shape, String name, TensorType type, long seed, int threads) {
        if (type.blockSize() > 1 && (shape.dim() % type.blockSize() != 0 || shape.hiddenDim() % type.blockSize() != 0)) {
            throw new IllegalArgumentException(type + " stores rows in blocks of " + type.blockSize()
                    + ": dim (" + shape.dim() + ") and hidden (" + shape.hiddenDim() + ") must be multiples of "
                    + type.blockSize() + "; use --type f16 or f32 for this shape");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        this.shape = shape;
        this.name = name;
        this.type = type;
        this.seed = seed;
        this.threads = threads;
    }

    /**
     * Writes the model to {@code out}, copying every {@code tokenizer.*} key from the GGUF {@code vocab} (whose token
     * count becomes the vocabulary size). Fails with a {@link io.braid.model.ModelFormatException} if {@code vocab} is
     * unreadable or has no {@code tokenizer.ggml.tokens}.
     */
    public Result write(Path vocab, Path out) {
        GgufWriter w = new GgufWriter();
        int vocabSize;
        try (GgufFile v = GgufFile.open(vocab)) {
            GgufMetadata vm = v.metadata();
            vocabSize = vm.getStringArray("tokenizer.ggml.tokens").size();
            putModelMetadata(w, vocabSize);
            vm.entries().forEach((k, val) -> {
                if (k.startsWith("tokenizer.")) {
                    w.put(k, val);
                }
            });
        }
        List<Spec> specs = tensorSpecs(vocabSize);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                int index = i;
                w.addTensor(s.name(), s.norm() ? TensorType.F32 : type, s.shape(),
                        dst -> fill(pool, s, index, dst));
            }
            w.write(out);
        }
        long bytes = out.toFile().length();
        return new Result(out, vocabSize, shape.parameterCount(vocabSize), specs.size(), bytes);
    }

    private void putModelMetadata(GgufWriter w, int vocabSize) {
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string(name + " (synthetic random weights)"));
        w.put("general.file_type", GgufValue.uint32(fileType(type)));
        if (type.blockSize() > 1) {
            w.put("general.quantization_version", GgufValue.uint32(2));
        }
        w.put("llama.vocab_size", GgufValue.uint32(vocabSize));
        w.put("llama.context_length", GgufValue.uint32(shape.contextLength()));
        w.put("llama.embedding_length", GgufValue.uint32(shape.dim()));
        w.put("llama.block_count", GgufValue.uint32(shape.layers()));
        w.put("llama.feed_forward_length", GgufValue.uint32(shape.hiddenDim()));
        w.put("llama.rope.dimension_count", GgufValue.uint32(shape.headSize()));
        w.put("llama.rope.freq_base", GgufValue.float32(shape.ropeTheta()));
        w.put("llama.attention.head_count", GgufValue.uint32(shape.heads()));
        w.put("llama.attention.head_count_kv", GgufValue.uint32(shape.kvHeads()));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(shape.rmsEps()));
        w.put("braid.synthetic.seed", GgufValue.uint64(seed));
        w.put("braid.synthetic.weight_std", GgufValue.float32(WEIGHT_STD));
    }

    /** llama.cpp's {@code llama_ftype} for a model whose matrices are {@code t}. */
    static int fileType(TensorType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
        };
    }

    /** Tensor names and GGUF shapes (ne[0] = input dimension) as llama.cpp names them, layer by layer. */
    private List<Spec> tensorSpecs(int vocabSize) {
        long d = shape.dim();
        long h = shape.hiddenDim();
        long kv = shape.kvDim();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("token_embd.weight", type, new long[] {d, vocabSize}, false));
        for (int l = 0; l < shape.layers(); l++) {
            String b = "blk." + l + ".";
            specs.add(new Spec(b + "attn_norm.weight", TensorType.F32, new long[] {d}, true));
            specs.add(new Spec(b + "attn_q.weight", type, new long[] {d, d}, false));
            specs.add(new Spec(b + "attn_k.weight", type, new long[] {d, kv}, false));
            specs.add(new Spec(b + "attn_v.weight", type, new long[] {d, kv}, false));
            specs.add(new Spec(b + "attn_output.weight", type, new long[] {d, d}, false));
            specs.add(new Spec(b + "ffn_norm.weight", TensorType.F32, new long[] {d}, true));
            specs.add(new Spec(b + "ffn_gate.weight", type, new long[] {d, h}, false));
            specs.add(new Spec(b + "ffn_up.weight", type, new long[] {d, h}, false));
            specs.add(new Spec(b + "ffn_down.weight", type, new long[] {h, d}, false));
        }
        specs.add(new Spec("output_norm.weight", TensorType.F32, new long[] {d}, true));
        if (!shape.tiedEmbeddings()) {
            specs.add(new Spec("output.weight", type, new long[] {d, vocabSize}, false));
        }
        return specs;
    }

    private void fill(ExecutorService pool, Spec s, int tensorIndex, MemorySegment dst) {
        if (s.norm()) {
            for (long i = 0; i < s.shape()[0]; i++) {
                dst.setAtIndex(F32, i, 1f);
            }
            return;
        }
        int cols = (int) s.shape()[0];
        int rows = (int) s.shape()[1];
        int rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / cols);
        long rowBytes = s.type().byteSize(cols);
        List<Future<?>> chunks = new ArrayList<>();
        for (int r0 = 0, chunk = 0; r0 < rows; r0 += rowsPerChunk, chunk++) {
            int first = r0;
            int n = Math.min(rowsPerChunk, rows - r0);
            long chunkSeed = mix(seed, tensorIndex, chunk);
            chunks.add(pool.submit(() -> {
                float[] values = gaussian(chunkSeed, n * cols);
                try (Arena arena = Arena.ofConfined()) {
                    Matrix m = Matrix.quantize(s.type(), values, n, cols, arena);
                    MemorySegment.copy(m.data(), 0, dst, first * rowBytes, n * rowBytes);
                }
            }));
        }
        for (Future<?> f : chunks) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while generating " + s.name(), e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("generating " + s.name() + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** {@code n} approximately N(0, WEIGHT_STD²) values from a generator seeded with {@code chunkSeed}. */
    static float[] gaussian(long chunkSeed, int n) {
        SplittableRandom rnd = new SplittableRandom(chunkSeed);
        float[] out = new float[n];
        double scale = WEIGHT_STD / IH_STD;
        for (int i = 0; i < n; i++) {
            long r = rnd.nextLong();
            long sum = (r & 0xFFFF) + ((r >>> 16) & 0xFFFF) + ((r >>> 32) & 0xFFFF) + (r >>> 48);
            out[i] = (float) ((sum - IH_MEAN) * scale);
        }
        return out;
    }

    /** A well-mixed seed for one chunk: distinct (tensor, chunk) pairs give distinct inner values (SplitMix64 is a bijection). */
    static long mix(long seed, int tensor, int chunk) {
        return splitMix(seed ^ splitMix(((long) tensor << 32) | (chunk & 0xFFFF_FFFFL)));
    }

    private static long splitMix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
