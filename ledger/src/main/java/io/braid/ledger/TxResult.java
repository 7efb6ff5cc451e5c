package io.braid.ledger;

import io.braid.crypto.Hash32;
import java.util.List;

/**
 * The outcome of one submitted transaction.
 *
 * @param status  APPLIED (included at {@code height}/{@code index}), DUPLICATE (an earlier transaction with the
 *                same id or idempotency key was applied: height/index/txId are the original's), or REJECTED
 *                (nothing changed; {@code reason} says why)
 * @param effects derived movements and per-item outcomes (empty unless APPLIED)
 */
public record TxResult(Hash32 txId, Status status, String reason, long height, int index, List<Effect> effects) {
    public enum Status { APPLIED, DUPLICATE, REJECTED }

    public TxResult {
        effects = List.copyOf(effects);
    }

    static TxResult rejected(Hash32 txId, String reason) {
        return new TxResult(txId, Status.REJECTED, reason, -1, -1, List.of());
    }

    public boolean ok() {
        return status != Status.REJECTED;
    }
}
