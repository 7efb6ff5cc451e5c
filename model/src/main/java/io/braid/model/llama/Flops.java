package io.braid.model.llama;

/**
 * Exact FLOPs Braid bills, computed from the model's shape and the positions processed (docs/flops.md). Only
 * matmul-like multiply-adds count, two FLOPs each; norms, RoPE, softmax, SwiGLU and residual adds are not counted.
 *
 * <ul>
 *   <li>per token per layer, weights: {@code 2*dim*qDim + 2*2*dim*kvDim + 2*qDim*dim + 3*2*dim*hidden}</li>
 *   <li>per token per layer, attention at position p: {@code 2*2*headSize*heads*(p+1)} (QK^T and AV)</li>
 *   <li>embedding: 0; head: {@code 2*dim*vocab} per token</li>
 * </ul>
 */
public final class Flops {

    private Flops() {
    }

    /** Weight-matmul FLOPs of one token through one layer. */
    public static long layerMatmul(LlamaConfig c) {
        long d = c.dim();
        return 2 * d * c.qDim() + 2 * 2 * d * c.kvDim() + 2L * c.qDim() * d + 3 * 2 * d * c.hiddenDim();
    }

    /** Attention FLOPs of one token at {@code position} through one layer. */
    public static long layerAttention(LlamaConfig c, int position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
        return 2L * 2 * c.headSize() * c.heads() * (position + 1L);
    }

    /** FLOPs of one token at {@code position} through layers {@code [from, to)}. */
    public static long span(LlamaConfig c, int from, int to, int position) {
        if (from < 0 || to > c.layers() || from > to) {
            throw new IllegalArgumentException("[" + from + ", " + to + ") is not a range of the model's "
                    + c.layers() + " layers");
        }
        return (to - from) * (layerMatmul(c) + layerAttention(c, position));
    }

    /** FLOPs of one token per listed position through layers {@code [from, to)}. */
    public static long span(LlamaConfig c, int from, int to, int[] positions) {
        long sum = 0;
        for (int p : positions) {
            sum += span(c, from, to, p);
        }
        return sum;
    }

    /** FLOPs of the head for one token: {@code 2*dim*vocab}. */
    public static long head(LlamaConfig c) {
        return 2L * c.dim() * c.vocabSize();
    }

    /** FLOPs of the embedding lookup: none (a row copy). */
    public static long embedding(LlamaConfig c) {
        return 0;
    }

    /** FLOPs of one token at {@code position} through the whole model: every layer plus the head. */
    public static long token(LlamaConfig c, int position) {
        return span(c, 0, c.layers(), position) + head(c);
    }

    /** Mean per-token FLOPs over positions 0..contextLength-1 (a full context's average). */
    public static double meanPerToken(LlamaConfig c) {
        // attention is linear in position: the mean of (p+1) over 0..n-1 is (n+1)/2
        double meanAttention = 2.0 * 2 * c.headSize() * c.heads() * (c.contextLength() + 1) / 2.0;
        return c.layers() * (layerMatmul(c) + meanAttention) + head(c);
    }
}
