package io.braid.model.llama;

import io.braid.tensor.Compute;
import io.braid.tensor.Ops;

/**
 * Causal multi-head (grouped-query) attention of a batch of rows over their sessions' KV caches. Each row's result
 * depends only on its own query and its own cache, which is what keeps batching invisible in deterministic mode.
 */
final class Attention {

    private Attention() {
    }

    /**
     * For each row b and head h: scores over positions 0..positions[b] of the row's cache, softmax, weighted sum of
     * values into {@code out} ([batch x heads*headSize]). {@code scores} holds one context-length slice per head.
     */
    static void run(Compute compute, LlamaConfig c, int layer, float[] q, float[] out, int batch, int[] positions,
                    KvCache[] caches, float[] scores) {
        int heads = c.heads();
        int hs = c.headSize();
        int kvDim = c.kvDim();
        int group = heads / c.kvHeads();
        float scale = (float) Math.sqrt(hs);
        int ctx = c.contextLength();
        for (int b = 0; b < batch; b++) {
            int pos = positions[b];
            float[] keys = caches[b].keys(layer);
            float[] values = caches[b].values(layer);
            for (int h = 0; h < heads; h++) {
                int qOff = b * c.qDim() + h * hs;
                int kvOff = (h / group) * hs;
                int sOff = h * ctx;
                for (int t = 0; t <= pos; t++) {
                    scores[sOff + t] = compute.dot(q, qOff, keys, t * kvDim + kvOff, hs) / scale;
                }
                Ops.softmax(scores, sOff, pos + 1);
                java.util.Arrays.fill(out, qOff, qOff + hs, 0f);
                for (int t = 0; t <= pos; t++) {
                    compute.axpy(scores[sOff + t], values, t * kvDim + kvOff, out, qOff, hs);
                }
            }
        }
    }
}
