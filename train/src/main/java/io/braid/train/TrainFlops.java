package io.braid.train;

/**
 * Training FLOPs by formula (docs/flops.md, "Training"): the inference formula's forward FLOPs of every
 * position of a window, times 3 — the backward pass costs two forwards (one product for the input
 * gradient, one for the weight gradient, of every matmul and of both attention products). Norms, RoPE,
 * softmax, SwiGLU, the optimizer and the codecs are not counted, as in inference.
 */
public final class TrainFlops {

    private TrainFlops() {
    }

    /** Forward FLOPs of one token at position p (0-based): layers (weights + attention over p+1) + head. */
    public static long forwardToken(ModelShape s, int p) {
        long d = s.dim();
        long q = d;
        long kv = s.kvDim();
        long weights = 2 * d * q + 2 * d * kv + 2 * d * kv + 2 * q * d + 3 * 2 * d * s.hiddenDim();
        long attention = 2L * 2 * s.headSize() * s.nHeads() * (p + 1L);
        return s.nLayers() * (weights + attention) + 2 * d * s.vocabSize();
    }

    /** Forward + backward FLOPs of one training window of {@code seqLen} positions. */
    public static long window(ModelShape s, int seqLen) {
        long f = 0;
        for (int p = 0; p < seqLen; p++) {
            f += forwardToken(s, p);
        }
        return 3 * f;
    }

    /** FLOPs of {@code tokens} training tokens processed in windows of {@code seqLen}. */
    public static long ofTokens(ModelShape s, int seqLen, long tokens) {
        if (tokens % seqLen != 0) {
            throw new IllegalArgumentException(tokens + " tokens are not whole windows of " + seqLen);
        }
        return Math.multiplyExact(tokens / seqLen, window(s, seqLen));
    }
}
