package io.braid.ledger;

import io.braid.crypto.Identity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test helper: a state machine at genesis with well-known keys, applying transactions block by block. */
final class Chain {
    final Identity validator = Identity.fromSeed(seed(1));
    final Identity minter = Identity.fromSeed(seed(2));
    final Genesis genesis;
    final StateMachine sm;
    private final Map<Identity, Long> nonces = new HashMap<>();
    long time = 1_700_000_000_000L;

    Chain() {
        this(Params.defaults());
    }

    Chain(Params p) {
        genesis = new Genesis("test", time, p, List.of(validator.publicKey()), List.of(minter.publicKey()),
                List.of(minter.publicKey()), Genesis.devTreasury());
        sm = StateMachine.genesis(genesis);
    }

    static byte[] seed(int i) {
        byte[] s = new byte[32];
        s[0] = (byte) i;
        s[31] = 7;
        return s;
    }

    Transaction tx(Identity who, Body body) {
        long n = nonces.merge(who, 1L, Long::sum);
        return Transaction.sign(who, n, new byte[0], body);
    }

    StateMachine.Applied apply(Transaction... txs) {
        time += 1000;
        return sm.apply(time, List.of(txs), validator, id -> false);
    }

    /** Applies one transaction in its own block and returns its result. */
    TxResult run(Identity who, Body body) {
        return apply(tx(who, body)).results().getFirst();
    }

    void mint(Identity to, long amount) {
        TxResult r = run(minter, new Body.Mint(to.publicKey(), amount));
        if (!r.ok()) throw new AssertionError(r.reason());
    }
}
