package io.braid.train;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufArray;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufTensorInfo;
import io.braid.model.gguf.GgufValue;
import io.braid.model.gguf.GgufWriter;
import io.braid.model.tokenizer.SentencePieceTokenizer;
import io.braid.model.tokenizer.Tokenizer;
import io.braid.tensor.TensorType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training checkpoints as GGUF files of architecture {@code llama}, F32 weights and the tokenizer in
 * {@code tokenizer.ggml.*} metadata, so {@code braid generate --model ckpt.gguf} and the inference API load
 * them as they are. {@link #read} loads one back to continue training.
 */
public final class Checkpoint {

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A model read back: its shape and flat weights. */
    public record Loaded(ModelShape shape, float[] params) {
    }

    private Checkpoint() {
    }

    /** Writes {@code params} of {@code shape} with {@code tokenizer}'s vocabulary to {@code out} (atomically). */
    public static void write(Path out, ModelShape shape, float[] params, Tokenizer tokenizer, String name) {
        ParamLayout layout = new ParamLayout(shape);
        if (params.length != layout.size()) {
            throw new IllegalArgumentException("parameters have " + params.length + " floats, shape needs " + layout.size());
        }
        if (tokenizer.vocabSize() != shape.vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is "
                    + shape.vocabSize());
        }
        if (!(tokenizer instanceof SentencePieceTokenizer sp)) {
            throw new IllegalArgumentException("checkpoints embed SentencePiece (llama) tokenizers; this one is "
                    + tokenizer.getClass().getSimpleName());
        }
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string(name));
        w.put("general.file_type", GgufValue.uint32(0)); // all F32
        w.put("llama.context_length", GgufValue.uint32(shape.seqLen()));
        w.put("llama.embedding_length", GgufValue.uint32(shape.dim()));
        w.put("llama.feed_forward_length", GgufValue.uint32(shape.hiddenDim()));
        w.put("llama.block_count", GgufValue.uint32(shape.nLayers()));
        w.put("llama.attention.head_count", GgufValue.uint32(shape.nHeads()));
        w.put("llama.attention.head_count_kv", GgufValue.uint32(shape.nKvHeads()));
        w.put("llama.rope.dimension_count", GgufValue.uint32(shape.headSize()));
        w.put("llama.rope.freq_base", GgufValue.float32(shape.ropeTheta()));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(shape.normEps()));
        int v = sp.vocabSize();
        List<String> pieces = new ArrayList<>(v);
        float[] scores = new float[v];
        int[] types = new int[v];
        int unk = -1;
        for (int i = 0; i < v; i++) {
            pieces.add(sp.piece(i));
            scores[i] = sp.score(i);
            types[i] = sp.type(i).ggufId();
            if (unk < 0 && sp.type(i) == io.braid.model.tokenizer.TokenType.UNKNOWN) {
                unk = i;
            }
        }
        w.put("tokenizer.ggml.model", GgufValue.string("llama"));
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings(pieces)));
        w.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(scores)));
        w.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInts(types)));
        if (unk >= 0) {
            w.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(unk));
        }
        if (sp.bos() >= 0) {
            w.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(sp.bos()));
        }
        if (sp.eos() >= 0) {
            w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(sp.eos()));
        }
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(sp.addBos()));
        for (ParamLayout.Slot s : layout.slots()) {
            long[] ggufShape = s.rows() == 1 ? new long[] {s.cols()} : new long[] {s.cols(), s.rows()};
            int off = s.offset();
            int n = s.size();
            w.addTensor(s.name(), TensorType.F32, ggufShape, dst -> {
                for (int i = 0; i < n; i++) {
                    dst.setAtIndex(F32_LE, i, params[off + i]);
                }
            });
        }
        w.write(out);
    }

    /**
     * Reads a llama GGUF with F32 weights (a Braid checkpoint or e.g. stories260K.gguf) into a flat
     * parameter array; {@code output.weight} absent means a tied head.
     *
     * @throws ModelFormatException naming the file when it is not such a model
     */
    public static Loaded read(Path file) {
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata md = g.metadata();
            String arch = md.getString("general.architecture", "");
            if (!arch.equals("llama")) {
                throw new ModelFormatException(file, "architecture '" + arch + "' is not llama; training continues llama models only");
            }
            int dim = md.getInt("llama.embedding_length");
            int heads = md.getInt("llama.attention.head_count");
            GgufTensorInfo embd = g.requireTensor("token_embd.weight");
            int vocab = (int) embd.shape()[1];
            boolean tied = g.tensor("output.weight").isEmpty();
            ModelShape shape = new ModelShape(dim, md.getInt("llama.feed_forward_length"), md.getInt("llama.block_count"), heads,
                    md.getInt("llama.attention.head_count_kv", heads), vocab, md.getInt("llama.context_length"), tied,
                    md.getFloat("llama.rope.freq_base", 10000f), md.getFloat("llama.attention.layer_norm_rms_epsilon", 1e-5f));
            ParamLayout layout = new ParamLayout(shape);
            float[] p = new float[layout.size()];
            for (ParamLayout.Slot s : layout.slots()) {
                GgufTensorInfo t = g.requireTensor(s.name());
                if (t.type() != TensorType.F32) {
                    throw new ModelFormatException(file, "tensor " + s.name() + " is " + t.type() + "; training needs F32 weights");
                }
                long elements = 1;
                for (long d : t.shape()) {
                    elements *= d;
                }
                if (elements != s.size() || t.shape()[0] != s.cols()) {
                    throw new ModelFormatException(file, "tensor " + s.name() + " has shape " + java.util.Arrays.toString(t.shape())
                            + ", expected [" + s.cols() + (s.rows() > 1 ? ", " + s.rows() : "") + "]");
                }
                MemorySegment seg = g.tensorData(s.name());
                for (int i = 0; i < s.size(); i++) {
                    p[s.offset() + i] = seg.getAtIndex(F32_LE, i);
                }
            }
            return new Loaded(shape, p);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file, e.getMessage());
        }
    }
}
