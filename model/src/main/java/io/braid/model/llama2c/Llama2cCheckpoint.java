package io.braid.model.llama2c;

import io.braid.model.ModelFormatException;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A llama2.c checkpoint ({@code .bin}, the "legacy" export read by run.c), memory-mapped read-only.
 *
 * <p>Layout: seven little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a
 * negative vocab_size means a separate classifier follows), then float32 weights in run.c's order:
 * token_embedding_table, rms_att_weight, wq, wk, wv, wo, rms_ffn_weight, w1, w2, w3, rms_final_weight, the
 * unused freq_cis_real and freq_cis_imag tables, and wcls when not shared. Each per-layer tensor is stored for
 * all layers back to back. Accessors return slices of the mapping (no copies), so only the layers used are
 * paged in. The file size must match the header exactly; every mismatch is a one-line
 * {@link ModelFormatException}.
 */
public final class Llama2cCheckpoint implements AutoCloseable {

    /** Bytes of the header: 7 int32. */
    public static final int HEADER_BYTES = 28;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Magic of llama2.c's newer export versions 1 and 2 ("ak42"), which run.c does not read. */
    private static final int EXPORT_MAGIC = 0x616b3432;

    /**
     * The header. {@code vocabSize} is positive; {@code sharedClassifier} tells whether the classifier is the token
     * embedding (the header's vocab_size was positive) or a separate wcls tensor (it was negative).
     */
    public record Config(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize, int seqLen,
                         boolean sharedClassifier) {

        /** dim / n_heads. */
        public int headSize() {
            return dim / nHeads;
        }

        /** n_kv_heads * head_size: rows of wk and wv. */
        public int kvDim() {
            return nKvHeads * headSize();
        }
    }

    /** The weights of a checkpoint, in file order; per-layer weights have one slice per layer. */
    public enum Weight {
        TOKEN_EMBEDDING(false), RMS_ATT(true), WQ(true), WK(true), WV(true), WO(true), RMS_FFN(true), W1(true),
        W2(true), W3(true), RMS_FINAL(false), FREQ_CIS_REAL(false), FREQ_CIS_IMAG(false), CLASSIFIER(false);

        private final boolean perLayer;

        Weight(boolean perLayer) {
            this.perLayer = perLayer;
        }

        public boolean perLayer() {
            return perLayer;
        }

        /** {rows, cols} of one slice (one layer's for per-layer weights); vectors are one row. */
        int[] shape(Config c) {
            int d = c.dim();
            int h = c.hiddenDim();
            int half = c.headSize() / 2;
            return switch (this) {
                case TOKEN_EMBEDDING, CLASSIFIER -> new int[] {c.vocabSize(), d};
                case RMS_ATT, RMS_FFN, RMS_FINAL -> new int[] {1, d};
                case WQ, WO -> new int[] {d, d};
                case WK, WV -> new int[] {c.kvDim(), d};
                case W1, W3 -> new int[] {h, d};
                case W2 -> new int[] {d, h};
                case FREQ_CIS_REAL, FREQ_CIS_IMAG -> new int[] {c.seqLen(), half};
            };
        }
    }

    private final Path path;
    private final Config config;
    private final Arena arena;
    private final MemorySegment segment;
    private final Map<Weight, Long> offsets;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Llama2cCheckpoint(Path path, Config config, Arena arena, MemorySegment segment, Map<Weight, Long> offsets) {
        this.path = path;
        this.config = config;
        this.arena = arena;
        this.segment = segment;
        this.offsets = offsets;
    }

    /** Maps {@code path} and checks its header against its size. */
    public static Llama2cCheckpoint open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw new ModelFormatException(path, "not a llama2.c checkpoint: " + size
                        + " bytes is too short for the 28-byte header");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                Config config = readConfig(path, seg);
                Map<Weight, Long> offsets = layout(path, config, size);
                return new Llama2cCheckpoint(path, config, arena, seg, offsets);
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "no such file");
        } catch (AccessDeniedException e) {
            throw new ModelFormatException(path, "permission denied");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static Config readConfig(Path path, MemorySegment seg) {
        if (seg.get(I32, 0) == EXPORT_MAGIC) {
            throw new ModelFormatException(path, "llama2.c export version " + seg.get(I32, 4)
                    + " (magic 'ak42') is not supported; export the legacy format (export.py --version 0)");
        }
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = seg.get(I32, 4L * i);
        }
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = h[5], seq = h[6];
        String header = "header (dim " + dim + ", hidden_dim " + hidden + ", n_layers " + layers + ", n_heads " + heads
                + ", n_kv_heads " + kvHeads + ", vocab_size " + vocab + ", seq_len " + seq + ")";
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab == 0
                || vocab == Integer.MIN_VALUE || seq <= 0) {
            throw new ModelFormatException(path, "not a llama2.c checkpoint: " + header
                    + " has a zero or negative size");
        }
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new ModelFormatException(path, "corrupt " + header + ": dim must split into n_heads heads of even size");
        }
        if (kvHeads > heads || heads % kvHeads != 0) {
            throw new ModelFormatException(path, "corrupt " + header + ": n_heads must be a multiple of n_kv_heads");
        }
        return new Config(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), seq, vocab > 0);
    }

    /** Byte offsets of every weight; checks that the file is exactly as long as the header says. */
    private static Map<Weight, Long> layout(Path path, Config c, long size) {
        Map<Weight, Long> offsets = new EnumMap<>(Weight.class);
        long expected;
        try {
            long pos = HEADER_BYTES;
            for (Weight w : Weight.values()) {
                if (w == Weight.CLASSIFIER && c.sharedClassifier()) {
                    offsets.put(w, offsets.get(Weight.TOKEN_EMBEDDING));
                    continue;
                }
                offsets.put(w, pos);
                int[] s = w.shape(c);
                long floats = Math.multiplyExact((long) s[0], s[1]);
                pos = Math.addExact(pos, Math.multiplyExact(Math.multiplyExact(floats, w.perLayer() ? c.nLayers() : 1), 4L));
            }
            expected = pos;
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, "not a llama2.c checkpoint: the header's sizes overflow");
        }
        if (expected != size) {
            String what = "dim " + c.dim() + ", hidden_dim " + c.hiddenDim() + ", n_layers " + c.nLayers()
                    + ", n_heads " + c.nHeads() + ", n_kv_heads " + c.nKvHeads() + ", vocab_size "
                    + (c.sharedClassifier() ? "" : "-") + c.vocabSize() + ", seq_len " + c.seqLen();
            throw new ModelFormatException(path, (size < expected ? "truncated: " : "size mismatch: ") + "the header ("
                    + what + ") needs " + expected + " bytes but the file has " + size
                    + (size < expected ? "" : " (wrong header, or not a legacy llama2.c checkpoint)"));
        }
        return offsets;
    }

    public Path path() {
        return path;
    }

    public Config config() {
        return config;
    }

    /** The bytes of a global weight (not per-layer). */
    public MemorySegment segment(Weight w) {
        if (w.perLayer()) {
            throw new IllegalArgumentException(w + " is per layer: pass a layer");
        }
        return slice(w, 0);
    }

    /** The bytes of a per-layer weight's {@code layer}. */
    public MemorySegment segment(Weight w, int layer) {
        if (!w.perLayer()) {
            throw new IllegalArgumentException(w + " is not per layer");
        }
        if (layer < 0 || layer >= config.nLayers()) {
            throw new IndexOutOfBoundsException("layer " + layer + " of " + config.nLayers());
        }
        return slice(w, layer);
    }

    /** A global weight as an F32 matrix (run.c's W[rows][cols]: rows outputs, cols inputs). */
    public Matrix matrix(Weight w) {
        int[] s = w.shape(config);
        return Matrix.of(TensorType.F32, segment(w), s[0], s[1]);
    }

    /** One layer of a per-layer weight as an F32 matrix. */
    public Matrix matrix(Weight w, int layer) {
        int[] s = w.shape(config);
        return Matrix.of(TensorType.F32, segment(w, layer), s[0], s[1]);
    }

    /** A global weight copied into a float[] (for small vectors such as rms_final_weight). */
    public float[] floats(Weight w) {
        return segment(w).toArray(F32);
    }

    /** One layer of a per-layer weight copied into a float[] (for rms_att_weight and rms_ffn_weight). */
    public float[] floats(Weight w, int layer) {
        return segment(w, layer).toArray(F32);
    }

    private MemorySegment slice(Weight w, int layer) {
        int[] s = w.shape(config);
        long bytes = (long) s[0] * s[1] * 4;
        return segment.asSlice(offsets.get(w) + layer * bytes, bytes);
    }

    /** Unmaps the file; slices obtained from it become unusable. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "Llama2cCheckpoint[" + path + ", " + config + "]";
    }
}
