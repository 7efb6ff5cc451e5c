package io.braid.model.llama;

import io.braid.tensor.Compute;
import io.braid.tensor.Ops;

import java.util.Arrays;

/**
 * Causal multi-head (grouped-query) attention of a batch of rows over their sessions' KV caches. Each row's result
 * depends only on its own query and its own cache, which is what keeps batching invisible in deterministic mode.
 * Heads are independent, so long contexts spread them over the compute threads without changing any bit.
 */
final class Attention {

    /** Below this many multiply-adds per call, waking the other threads costs more than it saves. */
    private static final long PARALLEL_WORK = 1 << 16;

    private Attention() {
    }

    /**
     * For each row b and head h: scores over positions 0..positions[b] of the row's cache, softmax, weighted sum of
     * values into {@code out} ([batch x heads*headSize]). {@code scores} holds {@code stride} floats per head.
     */
    static void run(Compute compute, LlamaConfig c, int layer, float[] q, float[] out, int batch, int[] positions,
                    KvCache[] caches, float[] scores, int stride) {
        long work = 0;
        for (int b = 0; b < batch; b++) {
            work += (positions[b] + 1L) * c.qDim();
        }
        if (compute.threads() > 1 && work >= PARALLEL_WORK) {
            compute.parallelFor(c.heads(), h -> head(compute, c, layer, h, q, out, batch, positions, caches, scores, stride));
        } else {
            for (int h = 0; h < c.heads(); h++) {
                head(compute, c, layer, h, q, out, batch, positions, caches, scores, stride);
            }
        }
    }

    private static void head(Compute compute, LlamaConfig c, int layer, int h, float[] q, float[] out, int batch,
                             int[] positions, KvCache[] caches, float[] scores, int stride) {
        int hs = c.headSize();
        int kvDim = c.kvDim();
        int kvOff = (h / (c.heads() / c.kvHeads())) * hs;
        float scale = (float) Math.sqrt(hs);
        int sOff = h * stride;
        for (int b = 0; b < batch; b++) {
            int pos = positions[b];
            float[] keys = caches[b].keys(layer);
            float[] values = caches[b].values(layer);
            int qOff = b * c.qDim() + h * hs;
            for (int t = 0; t <= pos; t++) {
                scores[sOff + t] = compute.dot(q, qOff, keys, t * kvDim + kvOff, hs) / scale;
            }
            Ops.softmax(scores, sOff, pos + 1);
            Arrays.fill(out, qOff, qOff + hs, 0f);
            for (int t = 0; t <= pos; t++) {
                compute.axpy(scores[sOff + t], values, t * kvDim + kvOff, out, qOff, hs);
            }
        }
    }
}
