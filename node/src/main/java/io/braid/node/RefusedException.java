package io.braid.node;

/** The node will not take or continue a session; {@code retryable}: another node of the span may. */
final class RefusedException extends Exception {
    private final boolean retryable;

    RefusedException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
