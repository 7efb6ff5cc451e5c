package io.braid.model.llama;

import io.braid.tensor.RopeLayout;

/**
 * The shape of a Llama-family transformer, read from a GGUF file's {@code <arch>.*} metadata or a llama2.c header.
 *
 * @param architecture  GGUF {@code general.architecture} ({@code "llama"} for llama2.c checkpoints)
 * @param dim           embedding width
 * @param hiddenDim     feed-forward width
 * @param layers        number of transformer blocks
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headSize      width of one head
 * @param vocabSize     rows of the embedding table / logits per token
 * @param contextLength the longest sequence the model was trained for (max positions)
 * @param rmsEps        RMSNorm epsilon
 * @param ropeTheta     RoPE frequency base
 * @param ropeLayout    which elements RoPE rotates together (the file's architecture decides)
 * @param tiedHead      true when the output head reuses the embedding table
 */
public record LlamaConfig(String architecture, int dim, int hiddenDim, int layers, int heads, int kvHeads,
                          int headSize, int vocabSize, int contextLength, float rmsEps, float ropeTheta,
                          RopeLayout ropeLayout, boolean tiedHead) {

    /** Validates the shape so later array arithmetic cannot go wrong silently. */
    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headSize <= 0
                || vocabSize <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("model shape has a non-positive size: dim=" + dim + " hidden=" + hiddenDim
                    + " layers=" + layers + " heads=" + heads + " kvHeads=" + kvHeads + " headSize=" + headSize
                    + " vocab=" + vocabSize + " context=" + contextLength);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kv heads (" + kvHeads + ")");
        }
        if (headSize % 2 != 0) {
            throw new IllegalArgumentException("head size " + headSize + " must be even for RoPE");
        }
    }

    /** Width of one position's keys (or values): {@code kvHeads * headSize}. */
    public int kvDim() {
        return kvHeads * headSize;
    }

    /** Width of all query heads together: {@code heads * headSize} (equals {@code dim} in every Llama so far). */
    public int qDim() {
        return heads * headSize;
    }

    /** Weights (parameters) of the whole model, counting a tied head once. */
    public long parameterCount() {
        long perLayer = 2L * dim + (long) dim * qDim() * 2 + 2L * dim * kvDim() + 3L * dim * hiddenDim;
        long embed = (long) vocabSize * dim;
        return embed + perLayer * layers + dim + (tiedHead ? 0 : embed);
    }
}
