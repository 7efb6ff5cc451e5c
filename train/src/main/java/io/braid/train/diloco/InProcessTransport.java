package io.braid.train.diloco;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Queues between a coordinator and worker threads in one process: the transport for tests and the bench.
 * {@link #disconnect} plays the part of a dropped connection: the coordinator receives
 * {@link ToCoordinator.Left} and later messages to that worker are discarded.
 */
public final class InProcessTransport implements CoordinatorTransport {

    private final BlockingQueue<ToCoordinator> inbox = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<ToWorker>> workers = new ConcurrentHashMap<>();

    /** A new worker endpoint; the worker still has to send {@link ToCoordinator.Join}. */
    public WorkerTransport connect(String workerId) {
        BlockingQueue<ToWorker> q = new LinkedBlockingQueue<>();
        if (workers.putIfAbsent(workerId, q) != null) {
            throw new IllegalArgumentException("worker id " + workerId + " is already connected");
        }
        return new WorkerTransport() {
            @Override
            public void send(ToCoordinator message) {
                if (workers.get(workerId) == q) {
                    inbox.add(message);
                }
            }

            @Override
            public ToWorker poll(long timeoutMillis) throws InterruptedException {
                return timeoutMillis <= 0 ? q.poll() : q.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            }
        };
    }

    /** Drops the worker's connection, as a dead process would. */
    public void disconnect(String workerId, String reason) {
        if (workers.remove(workerId) != null) {
            inbox.add(new ToCoordinator.Left(workerId, reason));
        }
    }

    @Override
    public ToCoordinator poll(long timeoutMillis) throws InterruptedException {
        return inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean send(String workerId, ToWorker message) {
        BlockingQueue<ToWorker> q = workers.get(workerId);
        if (q == null) {
            return false;
        }
        q.add(message);
        return true;
    }
}
