package io.braid.ledger;

/** The ledger could not do what was asked (unavailable, timed out, bad data directory); the message says why. */
public class LedgerException extends RuntimeException {
    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
