package io.braid.model.synth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of a Llama-architecture model: what {@link SyntheticModel} needs to lay out a file of a real model's
 * size. Vocabulary size is not part of the shape: it comes from the vocabulary file.
 *
 * @param contextLength written as {@code llama.context_length}
 * @param tiedEmbeddings true when the output head reuses {@code token_embd.weight} (no {@code output.weight})
 */
public record ModelShape(int dim, int hiddenDim, int layers, int heads, int kvHeads, int contextLength, float ropeTheta,
                         float rmsEps, boolean tiedEmbeddings) {

    /**
     * Known shapes. Llama-3.2-1B is trained for 131072 positions; it is written with context 8192 so that engines
     * sizing a KV cache from {@code llama.context_length} stay within a laptop's memory (the weights, and therefore
     * the per-token cost, do not depend on it). Its llama3 RoPE frequency scaling is not written.
     */
    private static final Map<String, ModelShape> KNOWN = known();

    private static Map<String, ModelShape> known() {
        Map<String, ModelShape> m = new LinkedHashMap<>();
        m.put("stories260k", new ModelShape(64, 172, 5, 8, 4, 512, 10000f, 1e-5f, true));
        m.put("tinyllama-1.1b", new ModelShape(2048, 5632, 22, 32, 4, 2048, 10000f, 1e-5f, false));
        m.put("llama-3.2-1b", new ModelShape(2048, 8192, 16, 32, 8, 8192, 500000f, 1e-5f, true));
        m.put("llama-2-7b", new ModelShape(4096, 11008, 32, 32, 32, 4096, 10000f, 1e-5f, false));
        return Collections.unmodifiableMap(m);
    }

    /** Checks the shape is a valid Llama: positive sizes, heads dividing dim into even head sizes, GQA groups. */
    public ModelShape {
        if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("model sizes must be positive: dim " + dim + ", hidden " + hiddenDim
                    + ", layers " + layers + ", heads " + heads + ", kv-heads " + kvHeads + ", context " + contextLength);
        }
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("dim " + dim + " must split into " + heads + " heads of even size");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must be a multiple of kv-heads " + kvHeads);
        }
        if (!(ropeTheta > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException("rope theta and rms eps must be positive");
        }
    }

    /** The shape called {@code name} (case-insensitive), if known. */
    public static Optional<ModelShape> named(String name) {
        return Optional.ofNullable(KNOWN.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Names of the known shapes, in a stable order. */
    public static java.util.Set<String> names() {
        return KNOWN.keySet();
    }

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Parameters of the model with a vocabulary of {@code vocabSize} tokens (all tensors, norms included). */
    public long parameterCount(int vocabSize) {
        long perLayer = 2L * dim + (long) dim * dim * 2 + (long) dim * kvDim() * 2 + 3L * dim * hiddenDim;
        return (long) vocabSize * dim * (tiedEmbeddings ? 1 : 2) + layers * perLayer + dim;
    }
}
