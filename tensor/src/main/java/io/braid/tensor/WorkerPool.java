package io.braid.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of platform threads that run one job at a time, split into {@code parts} pieces; the
 * caller runs piece 0 itself. Workers spin briefly before parking because a decode step issues hundreds
 * of short matmuls per token and waking a parked thread costs tens of microseconds.
 */
final class WorkerPool implements AutoCloseable {
    /** One piece of a parallel job. */
    interface Job {
        void run(int part, int parts);
    }

    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Job job;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("braid-compute-" + part).unstarted(() -> loop(part));
            workers[i].start();
        }
    }

    int parts() {
        return workers.length + 1;
    }

    /** Runs {@code j} on all parts and returns when every part is done; rethrows a worker's failure. */
    synchronized void run(Job j) {
        int parts = parts();
        if (parts == 1) {
            j.run(0, 1);
            return;
        }
        failure = null;
        caller = Thread.currentThread();
        pending.set(parts - 1);
        job = j;
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable mine = null;
        try {
            j.run(0, parts);
        } catch (Throwable t) {
            mine = t;
        }
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
        job = null;
        Throwable theirs = failure;
        if (mine != null || theirs != null) {
            Throwable t = mine != null ? mine : theirs;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private void loop(int part) {
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            Job j = job;
            try {
                j.run(part, parts());
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
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
