package io.braid.train.diloco;

/** A worker's side of the wire. */
public interface WorkerTransport {

    void send(ToCoordinator message);

    /** The next message, or null after {@code timeoutMillis}; {@code 0} returns at once. */
    ToWorker poll(long timeoutMillis) throws InterruptedException;
}
