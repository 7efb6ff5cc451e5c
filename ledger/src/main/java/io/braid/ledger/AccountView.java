package io.braid.ledger;

import io.braid.crypto.PublicKey;
import java.util.List;
import java.util.Map;

/** A snapshot of one account for queries: amounts in micro-units. */
public record AccountView(PublicKey account, long balance, long stake, long escrow, List<Unbonding> unbonding,
                          long lastNonce, Map<String, Long> allowances) {
    public AccountView {
        unbonding = List.copyOf(unbonding);
        allowances = Map.copyOf(allowances);
    }

    /** Stake waiting out the unbonding period. */
    public record Unbonding(long amount, long releaseHeight) {}
}
