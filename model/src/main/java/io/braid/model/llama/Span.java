package io.braid.model.llama;

import io.braid.tensor.Compute;
import io.braid.tensor.Ops;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transformer layers {@code [from, to)} of a model: the unit a node hosts. {@link #forward} runs a batch of
 * activation rows through them in place, each row at its own position with its own session's {@link KvCache}.
 *
 * <p>Every reduction goes through {@link Compute} (or the deterministic {@link Ops}) and each row's attention reads
 * only its own cache, so in {@code DETERMINISTIC} mode a row's result does not depend on which other rows share the
 * batch, on the thread count, or on how the layers are split into spans.
 */
public final class Span {

    private final LlamaConfig config;
    private final int from;
    private final int to;
    private final List<LayerWeights> layers;
    private final RopeTables rope;
    private final Scratch scratch = new Scratch();

    Span(LlamaConfig config, int from, int to, List<LayerWeights> layers) {
        this.config = config;
        this.from = from;
        this.to = to;
        this.layers = List.copyOf(layers);
        this.rope = RopeTables.of(config);
    }

    /** First layer (inclusive). */
    public int from() {
        return from;
    }

    /** End layer (exclusive). */
    public int to() {
        return to;
    }

    /** The model's shape. */
    public LlamaConfig config() {
        return config;
    }

    /** A fresh cache for one session on this span, holding up to {@code maxLength} positions. */
    public KvCache newCache(int maxLength) {
        if (maxLength > config.contextLength()) {
            throw new IllegalArgumentException("KV cache length " + maxLength + " exceeds the model's context of "
                    + config.contextLength() + " positions");
        }
        return new KvCache(from, to - from, config.kvDim(), maxLength);
    }

    /** Bytes of weights one token's pass through this span reads (for bandwidth figures). */
    public long weightBytes() {
        long sum = 0;
        for (LayerWeights l : layers) {
            sum += l.matrixBytes() + 4L * (l.attentionNorm().length + l.ffnNorm().length);
        }
        return sum;
    }

    /**
     * Runs the span on {@code batch} rows of {@code x} ([batch x dim], updated in place). Row {@code b} is at
     * {@code positions[b]} and appends to {@code caches[b]}; rows of one session share one cache object, come in
     * position order, and each position must equal the cache's length at that point (append-only). A row sees the
     * rows of its own session that precede it in the batch. On a position that breaks this rule nothing is changed
     * and an {@link IllegalArgumentException} says why.
     */
    public synchronized void forward(Compute compute, float[] x, int batch, int[] positions, KvCache[] caches) {
        checkRows(x, batch, positions, caches);
        int longest = 0;
        for (int b = 0; b < batch; b++) {
            longest = Math.max(longest, positions[b] + 1);
        }
        Scratch s = scratch.ensure(config, batch, longest);
        for (int l = 0; l < layers.size(); l++) {
            attentionBlock(compute, l, x, batch, positions, caches, s);
            feedForwardBlock(compute, layers.get(l), x, batch, s);
        }
        for (int b = 0; b < batch; b++) {
            caches[b].setLength(Math.max(caches[b].length(), positions[b] + 1));
        }
    }

    private void checkRows(float[] x, int batch, int[] positions, KvCache[] caches) {
        if (batch <= 0 || x.length < batch * config.dim() || positions.length < batch || caches.length < batch) {
            throw new IllegalArgumentException("forward needs " + batch + " rows of " + config.dim()
                    + " floats with a position and a cache each; got " + x.length + " floats, "
                    + positions.length + " positions, " + caches.length + " caches");
        }
        Map<KvCache, Integer> next = new IdentityHashMap<>();
        for (int b = 0; b < batch; b++) {
            KvCache c = caches[b];
            if (c == null || !c.covers(from, to, config.kvDim())) {
                throw new IllegalArgumentException("row " + b + " has no KV cache of this span (layers "
                        + from + ".." + to + ")");
            }
            int expected = next.getOrDefault(c, c.length());
            if (positions[b] != expected) {
                throw new IllegalArgumentException("row " + b + " is at position " + positions[b]
                        + " but its session's KV cache expects position " + expected
                        + " (positions must continue the cache; truncate it to replay)");
            }
            if (positions[b] >= c.capacity()) {
                throw new IllegalArgumentException("row " + b + " at position " + positions[b]
                        + " exceeds its KV cache capacity of " + c.capacity() + " positions");
            }
            next.put(c, expected + 1);
        }
    }

    private void attentionBlock(Compute compute, int l, float[] x, int batch, int[] positions, KvCache[] caches,
                                Scratch s) {
        LayerWeights w = layers.get(l);
        int dim = config.dim();
        int kvDim = config.kvDim();
        for (int b = 0; b < batch; b++) {
            Ops.rmsnorm(s.xb, b * dim, x, b * dim, w.attentionNorm(), dim, config.rmsEps());
        }
        compute.matmul(w.wq(), s.xb, batch, s.q);
        compute.matmul(w.wk(), s.xb, batch, s.k);
        compute.matmul(w.wv(), s.xb, batch, s.v);
        for (int b = 0; b < batch; b++) {
            rope.apply(s.q, b * config.qDim(), config.heads(), positions[b]);
            rope.apply(s.k, b * kvDim, config.kvHeads(), positions[b]);
            System.arraycopy(s.k, b * kvDim, caches[b].keys(l), positions[b] * kvDim, kvDim);
            System.arraycopy(s.v, b * kvDim, caches[b].values(l), positions[b] * kvDim, kvDim);
        }
        Attention.run(compute, config, l, s.q, s.attOut, batch, positions, caches, s.scores, s.scoreStride);
        compute.matmul(w.wo(), s.attOut, batch, s.xb);
        addInPlace(x, s.xb, batch * dim);
    }

    private void feedForwardBlock(Compute compute, LayerWeights w, float[] x, int batch, Scratch s) {
        int dim = config.dim();
        int hidden = config.hiddenDim();
        for (int b = 0; b < batch; b++) {
            Ops.rmsnorm(s.xb, b * dim, x, b * dim, w.ffnNorm(), dim, config.rmsEps());
        }
        compute.matmul(w.gate(), s.xb, batch, s.gate);
        compute.matmul(w.up(), s.xb, batch, s.up);
        Ops.swiglu(s.gate, 0, s.up, 0, batch * hidden);
        compute.matmul(w.down(), s.gate, batch, s.xb);
        addInPlace(x, s.xb, batch * dim);
    }

    private static void addInPlace(float[] x, float[] delta, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += delta[i];
        }
    }

    /** Work arrays reused across calls (grown to the largest batch and context seen): decode allocates nothing. */
    private static final class Scratch {
        int batch;
        int scoreStride;
        float[] xb, q, k, v, attOut, gate, up, scores;

        Scratch ensure(LlamaConfig c, int n, int positions) {
            if (positions > scoreStride) {
                scoreStride = Math.min(c.contextLength(), Math.max(positions, 2 * scoreStride));
                scores = new float[c.heads() * scoreStride];
            }
            if (n <= batch) {
                return this;
            }
            batch = n;
            xb = new float[n * c.dim()];
            q = new float[n * c.qDim()];
            k = new float[n * c.kvDim()];
            v = new float[n * c.kvDim()];
            attOut = new float[n * c.qDim()];
            gate = new float[n * c.hiddenDim()];
            up = new float[n * c.hiddenDim()];
            return this;
        }
    }
}
