package io.braid.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of platform threads that share the chunks of one job at a time with the caller. Chunks are
 * claimed from a counter, so a worker the OS has not scheduled yet (a busy machine, several nodes on one
 * host) never holds the caller up: the caller takes its chunks, and waits only for chunks already started.
 * Workers spin briefly before parking because a decode step issues hundreds of short matmuls and waking a
 * parked thread costs tens of microseconds. Spinning yields the core after a few microseconds, and the caller parks
 * while it waits for a descheduled worker: with several processes on few cores (a gateway and nodes on one host,
 * other jobs) a busy-waiting thread would otherwise hold the core the thread it waits for needs.
 */
final class WorkerPool implements AutoCloseable {
    /** Work on one chunk; {@code participant} (0 = caller) selects per-thread scratch space. */
    interface Job {
        void run(int participant, int chunk);
    }

    /** One call's shared state: its own object, so a late worker can never claim chunks of a later call. */
    private static final class Call {
        final Job job;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        volatile Throwable failure;
        final Thread caller = Thread.currentThread();

        Call(Job job, int chunks) {
            this.job = job;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none are left. */
        void work(int participant) {
            while (true) {
                inFlight.incrementAndGet();
                int c = next.getAndIncrement();
                if (c >= chunks) {
                    inFlight.decrementAndGet();
                    return;
                }
                try {
                    job.run(participant, c);
                } catch (Throwable t) {
                    failure = t;
                    next.set(chunks); // stop the others early
                } finally {
                    if (inFlight.decrementAndGet() == 0 && participant != 0) {
                        LockSupport.unpark(caller); // it may be parked waiting for this chunk
                    }
                }
            }
        }
    }

    private static final long SPIN_NANOS = 200_000;
    /** Pure busy-wait before a waiting thread starts yielding its core to other runnable threads. */
    private static final long HOT_SPIN_NANOS = 5_000;
    /** How long the caller waits for running chunks before it parks (a worker unparks it when done). */
    private static final long CALLER_SPIN_NANOS = 50_000;

    private final Thread[] workers;
    private volatile Call call;
    private volatile int generation;
    private volatile boolean closed;

    WorkerPool(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int participant = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("braid-compute-" + participant)
                    .unstarted(() -> loop(participant));
            workers[i].start();
        }
    }

    int participants() {
        return workers.length + 1;
    }

    /** Runs chunks {@code 0..chunks-1} of {@code job} and returns when all are done; rethrows a failure. */
    synchronized void run(int chunks, Job job) {
        Call c = new Call(job, chunks);
        if (workers.length > 0 && chunks > 1) {
            call = c;
            generation++;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
        }
        c.work(0);
        // Every chunk is claimed; wait only for those still running on workers: usually short, so spin, but
        // park if a worker was descheduled mid-chunk (it unparks us when it finishes).
        long start = System.nanoTime();
        while (c.inFlight.get() != 0) {
            long waited = System.nanoTime() - start;
            if (waited < HOT_SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (waited < CALLER_SPIN_NANOS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
        call = null;
        Throwable t = c.failure;
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void loop(int participant) {
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                long waited = System.nanoTime() - start;
                if (waited < HOT_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (waited < SPIN_NANOS) {
                    Thread.yield(); // stay responsive, but let any runnable thread (another process) have the core
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            Call c = call;
            if (c != null) {
                c.work(participant);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
