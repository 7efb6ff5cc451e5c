package io.braid.tensor;

/** Which elements of a head form the pairs that RoPE rotates together. */
public enum RopeLayout {
    /** Pairs (2i, 2i+1): llama2.c and GGUF {@code llama} models (weights permuted by the converter). */
    INTERLEAVED,
    /** Pairs (i, i + headSize/2): GPT-NeoX style. */
    HALF_SPLIT
}
