package io.braid.model.llama;

import io.braid.tensor.Compute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deterministic mode: a session's activations are bit-identical alone or batched with other sessions, prefilled as a
 * batch or token by token, on 1 or 2 threads, and through one span or a split into two.
 */
class SpanDeterminismTest {

    private static final int[] TOKENS_A = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315};
    private static final int[] TOKENS_B = {1, 261, 376, 298, 403, 407, 13, 438, 310, 295, 433, 426};
    private static LlamaModel model;

    @BeforeAll
    static void open() {
        model = LlamaModel.open(Shared.path("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Outputs of session A alone: prefill {@code prefill} tokens as one batch, then one token per step. */
    private static float[] alone(Compute c, List<Span> spans, int prefill) {
        int dim = model.config().dim();
        KvCache[] caches = spans.stream().map(s -> s.newCache(32)).toArray(KvCache[]::new);
        float[] all = new float[TOKENS_A.length * dim];
        float[] x = model.embedding().lookup(Arrays.copyOf(TOKENS_A, prefill));
        run(c, spans, caches, x, prefill, 0);
        System.arraycopy(x, 0, all, 0, x.length);
        for (int p = prefill; p < TOKENS_A.length; p++) {
            float[] row = model.embedding().lookup(new int[]{TOKENS_A[p]});
            run(c, spans, caches, row, 1, p);
            System.arraycopy(row, 0, all, p * dim, dim);
        }
        return all;
    }

    private static void run(Compute c, List<Span> spans, KvCache[] caches, float[] x, int batch, int first) {
        int[] pos = new int[batch];
        for (int b = 0; b < batch; b++) {
            pos[b] = first + b;
        }
        for (int i = 0; i < spans.size(); i++) {
            KvCache[] rc = new KvCache[batch];
            Arrays.fill(rc, caches[i]);
            spans.get(i).forward(c, x, batch, pos, rc);
        }
    }

    private static List<Span> whole() {
        return List.of(model.span(0, 5));
    }

    @Test
    void sameBitsAcrossThreadsPrefillBatchingAndSpanSplits() {
        float[] reference;
        try (Compute c1 = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            reference = alone(c1, whole(), 1);
            assertThat(alone(c1, whole(), 6)).as("prefill batch of 6 vs token by token").isEqualTo(reference);
        }
        try (Compute c2 = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            assertThat(alone(c2, whole(), 1)).as("2 threads").isEqualTo(reference);
            assertThat(alone(c2, whole(), 12)).as("2 threads, prefill 12").isEqualTo(reference);
            assertThat(alone(c2, List.of(model.span(0, 2), model.span(2, 5)), 4)).as("split [0,2)+[2,5)").isEqualTo(reference);
        }
    }

    @Test
    void headParallelAttentionOnLongBatchesChangesNoBit() {
        // 64 prefill rows = 133k attention multiply-adds per layer: above Attention's threshold, heads go parallel.
        int n = 64;
        int dim = model.config().dim();
        int[] tokens = new java.util.Random(3).ints(n, 0, 512).toArray();
        float[] batched, single;
        try (Compute c2 = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            Span span = model.span(0, 5);
            KvCache cache = span.newCache(n);
            batched = model.embedding().lookup(tokens);
            int[] pos = java.util.stream.IntStream.range(0, n).toArray();
            KvCache[] caches = new KvCache[n];
            Arrays.fill(caches, cache);
            span.forward(c2, batched, n, pos, caches);
        }
        try (Compute c1 = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            Span span = model.span(0, 5);
            KvCache cache = span.newCache(n);
            single = new float[n * dim];
            for (int p = 0; p < n; p++) {
                float[] row = model.embedding().lookup(new int[]{tokens[p]});
                span.forward(c1, row, 1, new int[]{p}, new KvCache[]{cache});
                System.arraycopy(row, 0, single, p * dim, dim);
            }
        }
        assertThat(batched).isEqualTo(single);
    }

    @Test
    void batchingWithAnotherSessionChangesNoBit() {
        int dim = model.config().dim();
        float[] refA, refB;
        try (Compute c1 = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            refA = alone(c1, whole(), 3);
        }
        try (Compute c = new Compute(2, Compute.Mode.DETERMINISTIC)) {
            Span span = model.span(0, 5);
            KvCache a = span.newCache(32), b = span.newCache(32);
            float[] outA = new float[TOKENS_A.length * dim];
            // Prefill: 3 rows of A and 2 rows of B interleaved in one batch.
            int[] order = {0, 1, 2};
            float[] x = new float[5 * dim];
            model.embedding().lookup(TOKENS_A[0], x, 0);
            model.embedding().lookup(TOKENS_B[0], x, dim);
            model.embedding().lookup(TOKENS_A[1], x, 2 * dim);
            model.embedding().lookup(TOKENS_B[1], x, 3 * dim);
            model.embedding().lookup(TOKENS_A[2], x, 4 * dim);
            span.forward(c, x, 5, new int[]{0, 0, 1, 1, 2}, new KvCache[]{a, b, a, b, a});
            for (int i : order) {
                System.arraycopy(x, i * 2 * dim, outA, i * dim, dim);
            }
            // Decode: one row of A and one of B per batch (B one position ahead after its extra step).
            float[] one = model.embedding().lookup(new int[]{TOKENS_B[2]});
            span.forward(c, one, 1, new int[]{2}, new KvCache[]{b});
            for (int p = 3; p < TOKENS_A.length; p++) {
                float[] rows = new float[2 * dim];
                model.embedding().lookup(TOKENS_B[p], rows, 0);
                model.embedding().lookup(TOKENS_A[p], rows, dim);
                span.forward(c, rows, 2, new int[]{p, p}, new KvCache[]{b, a});
                System.arraycopy(rows, dim, outA, p * dim, dim);
            }
            assertThat(outA).isEqualTo(refA);
            assertThat(a.length()).isEqualTo(TOKENS_A.length);
        }
    }

    @Test
    void positionsMustContinueTheCacheAndTruncateAllowsReplay() {
        try (Compute c = new Compute(1, Compute.Mode.DETERMINISTIC)) {
            Span span = model.span(0, 5);
            KvCache cache = span.newCache(16);
            int dim = model.config().dim();
            float[] x = model.embedding().lookup(new int[]{1, 403});
            float[] before = x.clone();
            assertThatThrownBy(() -> span.forward(c, x, 2, new int[]{0, 2}, new KvCache[]{cache, cache}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects position 1");
            assertThat(x).as("nothing changed on a rejected batch").isEqualTo(before);
            assertThat(cache.length()).isZero();
            span.forward(c, x, 2, new int[]{0, 1}, new KvCache[]{cache, cache});
            float[] second = Arrays.copyOfRange(x, dim, 2 * dim);
            cache.truncate(1);
            float[] again = model.embedding().lookup(new int[]{403});
            span.forward(c, again, 1, new int[]{1}, new KvCache[]{cache});
            assertThat(again).as("replayed position 1").isEqualTo(second);
            float[] far = model.embedding().lookup(new int[]{403});
            assertThatThrownBy(() -> span.forward(c, far, 1, new int[]{16}, new KvCache[]{cache}))
                    .isInstanceOf(IllegalArgumentException.class);
            KvCache other = model.span(2, 4).newCache(16);
            assertThatThrownBy(() -> model.span(0, 2).forward(c, far, 1, new int[]{0}, new KvCache[]{other}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no KV cache of this span");
            KvCache small = span.newCache(2);
            float[] three = model.embedding().lookup(new int[]{1, 2, 3});
            assertThatThrownBy(() -> span.forward(c, three, 3, new int[]{0, 1, 2}, new KvCache[]{small, small, small}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
        }
    }

    @Test
    void kvCacheSizeIsReported() {
        LlamaConfig cfg = model.config();
        KvCache cache = model.span(1, 3).newCache(100);
        assertThat(cache.bytes()).isEqualTo(KvCache.bytesFor(cfg, 2, 100)).isEqualTo(2L * 4 * 2 * 32 * 100);
        assertThatThrownBy(() -> model.span(0, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> model.span(3, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
