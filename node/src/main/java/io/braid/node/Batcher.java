package io.braid.node;

import io.braid.model.llama.KvCache;
import io.braid.model.llama.Span;
import io.braid.tensor.Compute;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Continuous batching for one span: steps of concurrent sessions that arrive together run as ONE
 * {@link Span#forward} over all their rows. After the first step arrives it waits at most the gather
 * window, or less once every active session of the span has a step queued. In DETERMINISTIC mode the
 * engine guarantees each row's result does not depend on the batch it ran in.
 */
final class Batcher implements AutoCloseable {
    /** Rows of one session at consecutive positions; completed with the output rows. */
    record Task(Object session, KvCache cache, float[] x, int rows, int startPosition, CompletableFuture<Batch> done) {}

    /** What a task ran in. */
    record Batch(int rows, int sessions) {}

    private static final int MAX_BATCH_ROWS = 1024;

    private final Span span;
    private final Compute compute;
    private final long gatherNanos;
    private final IntSupplier activeSessions;
    private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final AtomicLong batches = new AtomicLong(), multiSessionBatches = new AtomicLong(), rowsRun = new AtomicLong();
    private volatile boolean closed;
    private volatile double secondsPerRowLayer; // EWMA of measured compute time per row per layer

    Batcher(Span span, Compute compute, long gatherNanos, IntSupplier activeSessions) {
        this.span = span;
        this.compute = compute;
        this.gatherNanos = gatherNanos;
        this.activeSessions = activeSessions;
        this.worker = Thread.ofPlatform().daemon().name("batcher-" + span.from() + "-" + span.to()).start(this::loop);
    }

    Span span() {
        return span;
    }

    /** Queues a step; the future completes when its batch has run (x then holds the output rows). */
    CompletableFuture<Batch> submit(Object session, KvCache cache, float[] x, int rows, int startPosition) {
        CompletableFuture<Batch> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("span is being unloaded"));
            return f;
        }
        queue.add(new Task(session, cache, x, rows, startPosition, f));
        return f;
    }

    int queuedRows() {
        int n = 0;
        for (Task t : queue) n += t.rows();
        return n;
    }

    long batches() {
        return batches.get();
    }

    long multiSessionBatches() {
        return multiSessionBatches.get();
    }

    /** Measured seconds per row per layer (EWMA over batches), 0 before the first batch. */
    double secondsPerRowLayer() {
        return secondsPerRowLayer;
    }

    long rowsRun() {
        return rowsRun.get();
    }

    private void loop() {
        while (!closed) {
            Task first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) continue;
            List<Task> batch = new ArrayList<>();
            batch.add(first);
            int rows = first.rows();
            long deadline = System.nanoTime() + gatherNanos;
            try {
                while (rows < MAX_BATCH_ROWS && sessionsIn(batch) < activeSessions.getAsInt()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    Task t = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (t == null) break;
                    batch.add(t);
                    rows += t.rows();
                }
            } catch (InterruptedException e) {
                batch.forEach(t -> t.done().completeExceptionally(e));
                return;
            }
            run(batch, rows);
        }
        for (Task t; (t = queue.poll()) != null; ) t.done().completeExceptionally(new IllegalStateException("span unloaded"));
    }

    private static int sessionsIn(List<Task> batch) {
        return (int) batch.stream().map(Task::session).distinct().count();
    }

    private void run(List<Task> batch, int rows) {
        int dim = span.config().dim();
        float[] x = new float[rows * dim];
        int[] positions = new int[rows];
        KvCache[] caches = new KvCache[rows];
        int r = 0;
        for (Task t : batch) {
            System.arraycopy(t.x(), 0, x, r * dim, t.rows() * dim);
            for (int i = 0; i < t.rows(); i++) {
                positions[r + i] = t.startPosition() + i;
                caches[r + i] = t.cache();
            }
            r += t.rows();
        }
        Batch info = new Batch(rows, sessionsIn(batch));
        long t0 = System.nanoTime();
        try {
            span.forward(compute, x, rows, positions, caches);
        } catch (RuntimeException e) {
            batch.forEach(t -> t.done().completeExceptionally(e));
            return;
        }
        double perRowLayer = (System.nanoTime() - t0) / 1e9 / rows / (span.to() - span.from());
        secondsPerRowLayer = secondsPerRowLayer == 0 ? perRowLayer : 0.8 * secondsPerRowLayer + 0.2 * perRowLayer;
        batches.incrementAndGet();
        rowsRun.addAndGet(rows);
        if (info.sessions() > 1) multiSessionBatches.incrementAndGet();
        r = 0;
        for (Task t : batch) {
            System.arraycopy(x, r * dim, t.x(), 0, t.rows() * dim);
            r += t.rows();
            t.done().complete(info);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
    }
}
