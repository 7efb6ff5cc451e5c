package io.braid.protocol;

/** A node message the receiver refused; {@link #reason()} says which check failed. */
public final class RejectedMessageException extends RuntimeException {
    /** Why a message was refused. */
    public enum Reason { UNSIGNED, BAD_SIGNATURE, STALE, REPLAYED, WRONG_KIND, WRONG_KEY, MALFORMED }

    private final Reason reason;

    public RejectedMessageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
