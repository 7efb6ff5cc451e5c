package io.braid.ledger;

/** Bytes that are not a valid canonical encoding (truncated, bad tag, bad count, trailing data). */
public final class MalformedException extends RuntimeException {
    public MalformedException(String message) {
        super(message);
    }
}
