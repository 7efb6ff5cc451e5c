package io.braid.gateway.cluster;

/** A hop did not deliver a valid result: the session must move that span to another node. */
final class HopFailure extends Exception {
    final boolean transport;   // the connection broke or the deadline passed
    final boolean retryable;   // a refusal another node (or this one later) may not repeat

    HopFailure(String message, boolean transport, boolean retryable) {
        super(message);
        this.transport = transport;
        this.retryable = retryable;
    }
}
