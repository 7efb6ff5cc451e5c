package io.braid.model.llama;

import io.braid.tensor.Compute;

import java.util.List;

/** One session's {@link SpanChain} over in-process {@link Span}s, each with its own KV cache. */
public final class LocalSpanChain implements SpanChain {

    private final List<Span> spans;
    private final KvCache[] caches;
    private final Compute compute;

    /** Spans must cover consecutive layers; each gets a cache of {@code maxLength} positions. */
    public LocalSpanChain(List<Span> spans, Compute compute, int maxLength) {
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a span chain needs at least one span");
        }
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i).from() != spans.get(i - 1).to()) {
                throw new IllegalArgumentException("spans must be consecutive: [" + spans.get(i - 1).from() + ","
                        + spans.get(i - 1).to() + ") then [" + spans.get(i).from() + "," + spans.get(i).to() + ")");
            }
        }
        this.spans = List.copyOf(spans);
        this.compute = compute;
        this.caches = new KvCache[spans.size()];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = spans.get(i).newCache(maxLength);
        }
    }

    /** The whole model as one span. */
    public static LocalSpanChain of(LlamaModel model, Compute compute, int maxLength) {
        return new LocalSpanChain(List.of(model.span(0, model.config().layers())), compute, maxLength);
    }

    @Override
    public void forward(float[] x, int batch, int firstPosition) {
        int[] positions = new int[batch];
        for (int b = 0; b < batch; b++) {
            positions[b] = firstPosition + b;
        }
        for (int i = 0; i < spans.size(); i++) {
            KvCache[] rowCaches = new KvCache[batch];
            java.util.Arrays.fill(rowCaches, caches[i]);
            spans.get(i).forward(compute, x, batch, positions, rowCaches);
        }
    }

    /** Rewinds every span's cache to {@code n} positions. */
    public void truncate(int n) {
        for (KvCache c : caches) {
            c.truncate(n);
        }
    }
}
