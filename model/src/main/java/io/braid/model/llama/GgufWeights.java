package io.braid.model.llama;

import io.braid.model.ModelFormatException;
import io.braid.model.gguf.GgufFile;
import io.braid.model.gguf.GgufMetadata;
import io.braid.model.gguf.GgufTensorInfo;
import io.braid.tensor.Matrix;
import io.braid.tensor.RopeLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Llama weights in a GGUF file, under llama.cpp's tensor names ({@code blk.N.attn_q.weight}, ...). */
final class GgufWeights implements WeightSource {

    /**
     * Architectures whose blocks are exactly Llama's, with their RoPE pairing: llama.cpp's "NORM" rope (adjacent
     * pairs) or "NEOX" rope (halves). Qwen2 files usually carry q/k/v biases and are then refused by the tensor check.
     * Look-alikes with other semantics under the same tensor names (Gemma, Granite, StableLM) are deliberately absent.
     */
    private static final Map<String, RopeLayout> ROPE_BY_ARCH = Map.of(
            "llama", RopeLayout.INTERLEAVED,
            "mistral", RopeLayout.INTERLEAVED,
            "qwen2", RopeLayout.HALF_SPLIT);

    private static final Set<String> BLOCK_TENSORS = Set.of("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
            "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "rope_freqs");
    private static final Pattern BLOCK_NAME = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.weight");

    private final Path path;
    private final GgufFile file;
    private final LlamaConfig config;

    GgufWeights(Path path, GgufFile file) {
        this.path = path;
        this.file = file;
        this.config = readConfig();
        checkTensorNames();
    }

    GgufFile file() {
        return file;
    }

    @Override
    public LlamaConfig config() {
        return config;
    }

    private LlamaConfig readConfig() {
        GgufMetadata md = file.metadata();
        String arch = md.getString("general.architecture", null);
        if (arch == null) {
            throw new ModelFormatException(path, "GGUF metadata has no general.architecture (not a model file?)");
        }
        RopeLayout layout = ROPE_BY_ARCH.get(arch);
        if (layout == null) {
            throw new ModelFormatException(path, "architecture " + ModelFormatException.quote(arch)
                    + " is not supported; supported: " + new java.util.TreeSet<>(ROPE_BY_ARCH.keySet()));
        }
        int dim = required(md, arch + ".embedding_length");
        int heads = required(md, arch + ".attention.head_count");
        int kvHeads = md.getInt(arch + ".attention.head_count_kv", heads);
        int headSize = md.getInt(arch + ".attention.key_length", heads > 0 ? dim / heads : 0);
        int ropeDims = md.getInt(arch + ".rope.dimension_count", headSize);
        if (ropeDims != headSize) {
            throw new ModelFormatException(path, "partial RoPE (" + ropeDims + " of " + headSize
                    + " head dims) is not supported");
        }
        String scaling = md.getString(arch + ".rope.scaling.type", "none");
        if (!scaling.equals("none")) {
            throw new ModelFormatException(path, "RoPE scaling " + ModelFormatException.quote(scaling) + " is not supported");
        }
        GgufTensorInfo embd = tensorInfo("token_embd.weight");
        int vocab = (int) embd.dim(1);
        try {
            return new LlamaConfig(arch, dim, required(md, arch + ".feed_forward_length"),
                    required(md, arch + ".block_count"), heads, kvHeads, headSize, vocab,
                    required(md, arch + ".context_length"),
                    md.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f),
                    md.getFloat(arch + ".rope.freq_base", 10000f), layout,
                    file.tensor("output.weight").isEmpty());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, e.getMessage(), e);
        }
    }

    private int required(GgufMetadata md, String key) {
        if (!md.contains(key)) {
            throw new ModelFormatException(path, "GGUF metadata key " + key + " is missing");
        }
        return md.getInt(key);
    }

    /** Refuses files with extra block tensors (biases, q/k norms...) whose meaning this engine would silently drop. */
    private void checkTensorNames() {
        for (GgufTensorInfo t : file.tensors()) {
            Matcher m = BLOCK_NAME.matcher(t.name());
            if (t.name().startsWith("blk.") && (!m.matches() || !BLOCK_TENSORS.contains(m.group(2)))) {
                throw new ModelFormatException(path, "tensor " + ModelFormatException.quote(t.name())
                        + " is not part of the Llama architecture this engine runs");
            }
            if (m.matches() && m.group(2).equals("rope_freqs")) {
                throw new ModelFormatException(path, "scaled RoPE (rope_freqs tensors) is not supported");
            }
        }
    }

    @Override
    public LayerWeights layer(int l) {
        String p = "blk." + l + ".";
        int dim = config.dim();
        int hidden = config.hiddenDim();
        return new LayerWeights(
                vector(p + "attn_norm.weight", dim),
                matrix(p + "attn_q.weight", config.qDim(), dim),
                matrix(p + "attn_k.weight", config.kvDim(), dim),
                matrix(p + "attn_v.weight", config.kvDim(), dim),
                matrix(p + "attn_output.weight", dim, config.qDim()),
                vector(p + "ffn_norm.weight", dim),
                matrix(p + "ffn_gate.weight", hidden, dim),
                matrix(p + "ffn_up.weight", hidden, dim),
                matrix(p + "ffn_down.weight", dim, hidden));
    }

    @Override
    public Matrix embedding() {
        return matrix("token_embd.weight", config.vocabSize(), config.dim());
    }

    @Override
    public float[] outputNorm() {
        return vector("output_norm.weight", config.dim());
    }

    @Override
    public Matrix output() {
        return config.tiedHead() ? embedding() : matrix("output.weight", config.vocabSize(), config.dim());
    }

    @Override
    public List<TensorSummary> tensors() {
        List<TensorSummary> out = new ArrayList<>();
        for (GgufTensorInfo t : file.tensors()) {
            out.add(new TensorSummary(t.name(), t.type().name(), t.elementCount(), t.byteSize()));
        }
        return out;
    }

    private GgufTensorInfo tensorInfo(String name) {
        return file.tensor(name).orElseThrow(() -> new ModelFormatException(path, "tensor " + name + " is missing"));
    }

    private Matrix matrix(String name, int rows, int cols) {
        GgufTensorInfo t = tensorInfo(name);
        if (t.rank() != 2 || t.dim(0) != cols || t.dim(1) != rows) {
            throw new ModelFormatException(path, "tensor " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + " but the model's metadata needs [" + cols + ", " + rows + "]");
        }
        return file.matrix(name);
    }

    private float[] vector(String name, int n) {
        GgufTensorInfo t = tensorInfo(name);
        if (t.elementCount() != n) {
            throw new ModelFormatException(path, "tensor " + name + " has " + t.elementCount()
                    + " elements but the model's metadata needs " + n);
        }
        float[] out = new float[n];
        Matrix.of(t.type(), file.tensorData(name), 1, n).dequantizeRow(0, out, 0);
        return out;
    }

    @Override
    public void close() {
        file.close();
    }
}
