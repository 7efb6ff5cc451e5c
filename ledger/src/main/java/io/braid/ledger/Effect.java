package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;

/**
 * What applying a transaction did beyond its plain body: the derived movements (node rewards, protocol fee,
 * burn), per-item outcomes of batch bodies, and parameter changes taken effect. Recomputed by replay;
 * shown in receipts and the explorer.
 */
public sealed interface Effect {
    /** An escrow hold was placed. */
    record HoldPlaced(Hash32 holdId, PublicKey payer, long amount) implements Effect {}

    /** A settlement: {@code charge} taken from the hold, {@code released} returned to the payer. */
    record Charged(Hash32 holdId, PublicKey payer, long flops, long pricePerTflop, long charge, long released) implements Effect {}

    /** A node owner credited for the FLOPs its node computed, at the cost rate. */
    record NodeReward(Hash32 holdId, PublicKey node, PublicKey owner, long flops, long amount) implements Effect {}

    /** Protocol fee to the treasury (margin less burn). */
    record ProtocolFee(Hash32 holdId, long amount) implements Effect {}

    /** Money destroyed (burn share of a margin, a slash's burned part, or a Burn transaction). */
    record Burned(long amount, String reason) implements Effect {}

    /** A hold released without charge. */
    record Released(Hash32 holdId, PublicKey payer, long amount) implements Effect {}

    /** An item of a batch body that was not applied, with the reason (the rest of the batch still applies). */
    record ItemSkipped(int index, Hash32 holdId, String reason) implements Effect {}

    /** A stake slashed for fraud. */
    record Slashed(PublicKey node, PublicKey owner, long amount, PublicKey reporter, long toReporter, long burned) implements Effect {}

    /** A governance decision on a proposal at the end of its voting period. */
    record ProposalDecided(Hash32 proposalId, boolean accepted, long yesStake, long noStake, long totalStake) implements Effect {}

    /** An accepted parameter change taking effect. */
    record ParamChanged(Hash32 proposalId, String name, long oldValue, long newValue) implements Effect {}

    /** Matured unbonding moved back to the balance. */
    record Unbonded(PublicKey account, long amount) implements Effect {}
}
