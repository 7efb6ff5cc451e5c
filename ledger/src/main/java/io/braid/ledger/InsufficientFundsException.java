package io.braid.ledger;

/** The payer cannot cover a hold (the gateway answers 402); the message says how much is missing. */
public final class InsufficientFundsException extends LedgerException {
    public InsufficientFundsException(String message) {
        super(message);
    }
}
