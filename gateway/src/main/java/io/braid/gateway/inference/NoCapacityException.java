package io.braid.gateway.inference;

/**
 * No node could serve a span of the model within the deadline (all of its nodes gone, or all
 * refusing for lack of KV memory). HTTP 503, or 429 when {@link #busy()} (nodes exist but are full).
 */
public final class NoCapacityException extends InferenceException {
    private final boolean busy;

    public NoCapacityException(String message, boolean busy) {
        super(message);
        this.busy = busy;
    }

    public NoCapacityException(String message, boolean busy, Throwable cause) {
        super(message, cause);
        this.busy = busy;
    }

    /** true: the span's nodes are alive but refused for lack of capacity (retry later: 429). */
    public boolean busy() {
        return busy;
    }
}
