package io.braid.node;

import io.braid.model.llama.KvCache;
import io.braid.model.llama.LlamaModel;
import io.braid.model.llama.Span;
import io.braid.tensor.Compute;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The span a node serves, from its own model file: layers [from, to) are mapped (only those), and
 * sessions may open any sub-range of them. Holds per-session KV caches within a memory budget, and
 * one {@link Batcher} per distinct sub-range so concurrent sessions share matrix multiplies.
 */
final class SpanHost implements AutoCloseable {
    /** One open session: its cache and its reserved bytes. */
    static final class Session {
        final String id;
        final Batcher batcher;
        final KvCache cache;
        final long reservedBytes;
        volatile long lastUsedNanos = System.nanoTime();
        volatile boolean closed;

        Session(String id, Batcher batcher, KvCache cache, long reservedBytes) {
            this.id = id;
            this.batcher = batcher;
            this.cache = cache;
            this.reservedBytes = reservedBytes;
        }

        int from() {
            return batcher.span().from();
        }

        int to() {
            return batcher.span().to();
        }
    }

    private final LlamaModel model;
    private final String modelId;
    private final int from, to;
    private final Compute compute;
    private final long kvBudget;
    private final long gatherNanos;
    private final Map<Long, Batcher> batchers = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong kvReserved = new AtomicLong();
    private final AtomicLong tokensServed = new AtomicLong();

    SpanHost(LlamaModel model, String modelId, int from, int to, Compute compute, long kvBudget, long gatherNanos) {
        this.model = model;
        this.modelId = modelId;
        this.from = from;
        this.to = to;
        this.compute = compute;
        this.kvBudget = kvBudget;
        this.gatherNanos = gatherNanos;
        batcher(from, to); // map the span's tensors now, not on the first request
    }

    String modelId() {
        return modelId;
    }

    int from() {
        return from;
    }

    int to() {
        return to;
    }

    int dim() {
        return model.config().dim();
    }

    /** The model file (its span identity goes into every commitment). */
    java.nio.file.Path modelPath() {
        return model.path();
    }

    /** The arithmetic mode the span runs in (deterministic results are compared bit for bit by auditors). */
    io.braid.tensor.Compute.Mode mode() {
        return compute.mode();
    }

    private Batcher batcher(int a, int b) {
        return batchers.computeIfAbsent(((long) a << 32) | b, k -> {
            Span span = model.span(a, b);
            return new Batcher(span, compute, gatherNanos, () -> countSessions(a, b));
        });
    }

    private int countSessions(int a, int b) {
        int n = 0;
        for (Session s : sessions.values()) if (s.from() == a && s.to() == b) n++;
        return n;
    }

    /** Opens a session on layers [a, b) ⊆ this span, reserving its KV memory. */
    Session open(String sessionId, String model, int a, int b, int maxPositions) throws RefusedException {
        if (!modelId.equals(model))
            throw new RefusedException("this node serves " + modelId + ", not " + model, true);
        if (a < from || b > to || a >= b)
            throw new RefusedException("layers [" + a + "," + b + ") are not within this node's span [" + from + "," + to + ")", true);
        int ctx = this.model.config().contextLength();
        if (maxPositions < 1 || maxPositions > ctx)
            throw new RefusedException("max_positions " + maxPositions + " outside 1.." + ctx, false);
        if (sessions.containsKey(sessionId)) throw new RefusedException("session " + sessionId + " is already open here", false);
        long bytes = KvCache.bytesFor(this.model.config(), b - a, maxPositions);
        long now = kvReserved.addAndGet(bytes);
        if (now > kvBudget) {
            kvReserved.addAndGet(-bytes);
            throw new RefusedException("KV cache budget full: session needs " + (bytes >> 10) + " KiB, "
                    + ((kvBudget - (now - bytes)) >> 10) + " KiB of " + (kvBudget >> 20) + " MiB free", true);
        }
        Batcher batcher = batcher(a, b);
        Session s = new Session(sessionId, batcher, batcher.span().newCache(maxPositions), bytes);
        sessions.put(sessionId, s);
        return s;
    }

    /**
     * Runs rows of a session at positions start.. (in place on x). A start below the cache length rewinds
     * the cache first (the gateway replays from there); a gap is refused.
     */
    Batcher.Batch forward(Session s, float[] x, int rows, int start) throws RefusedException {
        if (s.closed) throw new RefusedException("session " + s.id + " was closed (idle or node draining)", true);
        s.lastUsedNanos = System.nanoTime();
        int len = s.cache.length();
        if (start > len) throw new RefusedException("position " + start + " skips ahead of the session's " + len + " cached positions", false);
        if (start + rows > s.cache.capacity())
            throw new RefusedException("positions " + start + ".." + (start + rows) + " exceed the session's " + s.cache.capacity(), false);
        if (start < len) s.cache.truncate(start);
        try {
            Batcher.Batch b = s.batcher.submit(s, s.cache, x, rows, start).get();
            tokensServed.addAndGet(rows);
            s.lastUsedNanos = System.nanoTime();
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException("node interrupted", true);
        } catch (ExecutionException e) {
            throw new RefusedException("forward failed: " + e.getCause().getMessage(), true);
        }
    }

    void close(Session s) {
        if (s != null && sessions.remove(s.id, s)) {
            s.closed = true;
            kvReserved.addAndGet(-s.reservedBytes);
        }
    }

    /** Closes sessions idle longer than {@code idleNanos}; returns how many. */
    int expireIdle(long idleNanos) {
        long now = System.nanoTime();
        int n = 0;
        for (Session s : List.copyOf(sessions.values()))
            if (now - s.lastUsedNanos > idleNanos) {
                close(s);
                n++;
            }
        return n;
    }

    void closeAll() {
        for (Session s : List.copyOf(sessions.values())) close(s);
    }

    int activeSessions() {
        return sessions.size();
    }

    long kvReserved() {
        return kvReserved.get();
    }

    long tokensServed() {
        return tokensServed.get();
    }

    int queuedRows() {
        int n = 0;
        for (Batcher b : batchers.values()) n += b.queuedRows();
        return n;
    }

    long batches() {
        return batchers.values().stream().mapToLong(Batcher::batches).sum();
    }

    /** Measured compute seconds per row of the whole span (0 until something ran). */
    double secondsPerRow() {
        double best = 0;
        for (Batcher b : batchers.values()) if (b.secondsPerRowLayer() > 0) best = Math.max(best, b.secondsPerRowLayer());
        return best * (to - from);
    }

    long multiSessionBatches() {
        return batchers.values().stream().mapToLong(Batcher::multiSessionBatches).sum();
    }

    @Override
    public void close() {
        closeAll();
        for (Batcher b : new ArrayList<>(batchers.values())) b.close();
    }
}
