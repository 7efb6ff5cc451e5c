package io.braid.train.diloco;

/**
 * The coordinator's side of the wire. Implementations: {@link InProcessTransport} (threads) and a network
 * transport on node processes; the coordinator code is the same for both. Bytes are accounted by the
 * coordinator from payload sizes, so the figures do not depend on the transport.
 */
public interface CoordinatorTransport {

    /** The next message, or null after {@code timeoutMillis}. */
    ToCoordinator poll(long timeoutMillis) throws InterruptedException;

    /** Sends to one worker; false if that worker is gone. */
    boolean send(String workerId, ToWorker message);
}
