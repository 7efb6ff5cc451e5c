package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateMachineTest {
    private final Identity alice = Identity.fromSeed(Chain.seed(10));
    private final Identity bob = Identity.fromSeed(Chain.seed(11));
    private final Identity gateway = Identity.fromSeed(Chain.seed(12));
    private final Identity owner = Identity.fromSeed(Chain.seed(13));
    private final Identity node = Identity.fromSeed(Chain.seed(14));

    private static Hash32 hid(String s) {
        return Hashes.sha256(s.getBytes());
    }

    @Test
    void badTransactionsAreRejectedWithReasonsAndChangeNothing() {
        Chain c = new Chain();
        c.mint(alice, 1_000);
        Hash32 before = c.sm.stateHash();
        long height = c.sm.height();
        // unsigned / forged: signed by bob but claims alice
        Transaction good = Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), 10));
        Transaction forged = new Transaction(alice.publicKey(), 1, new byte[0], new Body.Transfer(bob.publicKey(), 500), bob.sign(good.signingBytes()));
        Transaction unsigned = new Transaction(alice.publicKey(), 1, new byte[0], new Body.Transfer(bob.publicKey(), 500), new byte[0]);
        Transaction overdrawn = Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), 1_001));
        Transaction overNonce = Transaction.sign(alice, StateMachine.MAX_NONCE_GAP + 5, new byte[0], new Body.Transfer(bob.publicKey(), 1));
        Transaction notMinter = Transaction.sign(alice, 1, new byte[0], new Body.Mint(alice.publicKey(), 5));
        Transaction negative = Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), -5));
        StateMachine.Applied a = c.apply(forged, unsigned, overdrawn, overNonce, notMinter, negative);
        assertThat(a.block()).isNull();
        assertThat(a.results()).extracting(TxResult::status).containsOnly(TxResult.Status.REJECTED);
        assertThat(a.results()).extracting(TxResult::reason).containsExactly(
                "bad signature: not signed by " + alice.publicKey(),
                "bad signature: not signed by " + alice.publicKey(),
                "insufficient funds: balance 1000 < transfer 1001",
                "nonce " + (StateMachine.MAX_NONCE_GAP + 5) + " too far ahead: last used is 0, at most " + StateMachine.MAX_NONCE_GAP + " ahead allowed",
                "signer " + alice.publicKey() + " is not a minter",
                "transfer amount must be positive, got -5");
        assertThat(c.sm.stateHash()).isEqualTo(before);
        assertThat(c.sm.height()).isEqualTo(height);
        // replay: the good one applies once; the identical bytes again are a duplicate; a new tx with an old nonce is stale
        assertThat(c.apply(good).results().getFirst().status()).isEqualTo(TxResult.Status.APPLIED);
        TxResult again = c.apply(good).results().getFirst();
        assertThat(again.status()).isEqualTo(TxResult.Status.DUPLICATE);
        assertThat(again.height()).isEqualTo(height + 1);
        TxResult stale = c.apply(Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), 3))).results().getFirst();
        assertThat(stale.reason()).startsWith("stale nonce 1");
        assertThat(c.sm.account(alice.publicKey()).balance()).isEqualTo(990);
        assertThat(c.sm.conservationViolation()).isNull();
    }

    @Test
    void idempotencyKeyAppliesARetryOnceAndReturnsTheOriginal() {
        Chain c = new Chain();
        c.mint(alice, 1_000);
        byte[] key = "request-42".getBytes();
        Transaction first = Transaction.sign(alice, 1, key, new Body.Transfer(bob.publicKey(), 100));
        Transaction retry = Transaction.sign(alice, 2, key, new Body.Transfer(bob.publicKey(), 100)); // client re-signed with a new nonce
        TxResult r1 = c.apply(first).results().getFirst();
        TxResult r2 = c.apply(retry).results().getFirst();
        assertThat(r1.status()).isEqualTo(TxResult.Status.APPLIED);
        assertThat(r2.status()).isEqualTo(TxResult.Status.DUPLICATE);
        assertThat(r2.txId()).isEqualTo(r1.txId());
        assertThat(r2.height()).isEqualTo(r1.height());
        assertThat(c.sm.account(bob.publicKey()).balance()).isEqualTo(100);
        // both in one block: the second is left out
        Transaction a = Transaction.sign(alice, 3, "k2".getBytes(), new Body.Transfer(bob.publicKey(), 1));
        Transaction b = Transaction.sign(alice, 4, "k2".getBytes(), new Body.Transfer(bob.publicKey(), 1));
        StateMachine.Applied ab = c.apply(a, b);
        assertThat(ab.block().txs()).hasSize(1);
        assertThat(ab.results().get(1).status()).isEqualTo(TxResult.Status.DUPLICATE);
    }

    private void registerAndStake(Chain c, long stake) {
        byte[] sig = node.sign(Body.NodeRegistration.registrationMessage(node.publicKey(), owner.publicKey()));
        assertThat(c.run(owner, new Body.NodeRegistration(node.publicKey(), sig)).reason()).isEmpty();
        if (stake > 0) assertThat(c.run(owner, new Body.Stake(stake)).reason()).isEmpty();
    }

    @Test
    void escrowHoldChargeSplitsExactlyAndReleasesTheRest() {
        Chain c = new Chain();
        c.mint(alice, 10_000);
        c.mint(owner, 200_000_000);
        registerAndStake(c, 100_000_000);
        assertThat(c.sm.isEligible(node.publicKey())).isTrue();
        assertThat(c.run(alice, new Body.Authorize(gateway.publicKey(), 8_000)).ok()).isTrue();
        TxResult h = c.run(gateway, new Body.EscrowHold(List.of(new Body.Hold(hid("r1"), alice.publicKey(), 6_000),
                new Body.Hold(hid("r2"), alice.publicKey(), 5_000))));
        // second hold exceeds the remaining authorisation (8,000 - 6,000)
        assertThat(h.effects().get(0)).isInstanceOf(Effect.HoldPlaced.class);
        assertThat(((Effect.ItemSkipped) h.effects().get(1)).reason()).contains("authorization for operator has 2000 left");
        assertThat(c.sm.account(alice.publicKey()).balance()).isEqualTo(4_000);
        assertThat(c.sm.account(alice.publicKey()).escrow()).isEqualTo(6_000);
        TxResult ch = c.run(gateway, new Body.EscrowCharge(List.of(new Body.Settlement(hid("r1"),
                List.of(new Body.NodeWork(node.publicKey(), 1_500_000_000_000L), new Body.NodeWork(node.publicKey(), 700_000_000_000L))))));
        assertThat(ch.effects()).containsExactly(
                new Effect.Charged(hid("r1"), alice.publicKey(), 2_200_000_000_000L, 2_200, 4_840, 1_160),
                new Effect.NodeReward(hid("r1"), node.publicKey(), owner.publicKey(), 1_500_000_000_000L, 3_000),
                new Effect.NodeReward(hid("r1"), node.publicKey(), owner.publicKey(), 700_000_000_000L, 1_400),
                new Effect.ProtocolFee(hid("r1"), 352),
                new Effect.Burned(88, "burn share of margin"));
        assertThat(c.sm.account(alice.publicKey()).balance()).isEqualTo(10_000 - 4_840);
        assertThat(c.sm.account(owner.publicKey()).balance()).isEqualTo(100_000_000 + 4_400);
        assertThat(c.sm.account(Genesis.devTreasury()).balance()).isEqualTo(352);
        assertThat(c.sm.burned()).isEqualTo(88);
        assertThat(c.sm.account(alice.publicKey()).allowances().get(gateway.publicKey().hex())).isEqualTo(8_000 - 4_840);
        // settling again resolves to the first settlement; a charge above the hold is refused; release works
        TxResult again = c.run(gateway, new Body.EscrowCharge(List.of(new Body.Settlement(hid("r1"), List.of()))));
        assertThat(((Effect.ItemSkipped) again.effects().getFirst()).reason()).contains("already settled at height").contains("charge 4840");
        c.run(gateway, new Body.EscrowHold(List.of(new Body.Hold(hid("r3"), alice.publicKey(), 10))));
        TxResult tooMuch = c.run(gateway, new Body.EscrowCharge(List.of(new Body.Settlement(hid("r3"), List.of(new Body.NodeWork(node.publicKey(), 1_000_000_000_000L))))));
        assertThat(((Effect.ItemSkipped) tooMuch.effects().getFirst()).reason()).isEqualTo("charge 2200 exceeds hold 10");
        TxResult rel = c.run(gateway, new Body.EscrowRelease(List.of(hid("r3"))));
        assertThat(rel.effects()).containsExactly(new Effect.Released(hid("r3"), alice.publicKey(), 10));
        TxResult foreign = c.run(bob, new Body.EscrowHold(List.of(new Body.Hold(hid("r4"), alice.publicKey(), 10))));
        assertThat(((Effect.ItemSkipped) foreign.effects().getFirst()).reason()).contains("has not authorized operator");
        assertThat(c.run(alice, new Body.Authorize(gateway.publicKey(), 1_000_000)).ok()).isTrue();
        TxResult broke = c.run(gateway, new Body.EscrowHold(List.of(new Body.Hold(hid("r5"), alice.publicKey(), 6_000))));
        assertThat(((Effect.ItemSkipped) broke.effects().getFirst()).reason()).startsWith("insufficient funds: balance 5160 < hold 6000");
        assertThat(c.sm.conservationViolation()).isNull();
    }

    @Test
    void stakeUnbondingAndSlashing() {
        Chain c = new Chain();
        c.mint(owner, 300_000_000);
        registerAndStake(c, 200_000_000);
        assertThat(c.run(owner, new Body.Unstake(50_000_000)).ok()).isTrue();
        long unstakeHeight = c.sm.height();
        assertThat(c.sm.account(owner.publicKey()).stake()).isEqualTo(150_000_000);
        TxResult early = c.run(owner, new Body.CompleteUnbonding());
        assertThat(early.reason()).isEqualTo("nothing has matured yet: next release at height " + (unstakeHeight + 100) + " (now " + (unstakeHeight + 1) + ")");
        while (c.sm.height() < unstakeHeight + 99) c.mint(bob, 1);
        TxResult done = c.run(owner, new Body.CompleteUnbonding());
        assertThat(done.effects()).containsExactly(new Effect.Unbonded(owner.publicKey(), 50_000_000));
        // slash: 50% of 150,000,000 stake, 10% of that to the reporter, rest burned; node excluded
        assertThat(c.run(bob, new Body.Slash(node.publicKey(), bob.publicKey(), new byte[] {1})).reason()).contains("not allowed to slash");
        TxResult s = c.run(c.minter, new Body.Slash(node.publicKey(), bob.publicKey(), "evidence".getBytes()));
        assertThat(s.effects()).containsExactly(new Effect.Slashed(node.publicKey(), owner.publicKey(), 75_000_000, bob.publicKey(), 7_500_000, 67_500_000));
        assertThat(c.sm.isEligible(node.publicKey())).isFalse();
        assertThat(c.sm.isExcluded(node.publicKey())).isTrue();
        assertThat(c.run(c.minter, new Body.Slash(node.publicKey(), bob.publicKey(), "x".getBytes())).reason()).contains("already slashed");
        assertThat(c.sm.conservationViolation()).isNull();
    }

    @Test
    void nodeRegistrationNeedsTheNodeKeysConsent() {
        Chain c = new Chain();
        byte[] wrong = bob.sign(Body.NodeRegistration.registrationMessage(node.publicKey(), owner.publicKey()));
        assertThat(c.run(owner, new Body.NodeRegistration(node.publicKey(), wrong)).reason()).startsWith("node signature invalid");
        byte[] sig = node.sign(Body.NodeRegistration.registrationMessage(node.publicKey(), owner.publicKey()));
        assertThat(c.run(owner, new Body.NodeRegistration(node.publicKey(), sig)).ok()).isTrue();
        assertThat(c.sm.isEligible(node.publicKey())).isFalse(); // no stake yet
        byte[] sig2 = node.sign(Body.NodeRegistration.registrationMessage(node.publicKey(), bob.publicKey()));
        assertThat(c.run(bob, new Body.NodeRegistration(node.publicKey(), sig2)).reason()).contains("already registered to " + owner.publicKey());
    }

    @Test
    void governanceChangesParametersAtTheStatedHeight() {
        Chain c = new Chain();
        c.mint(alice, 1_000);
        c.mint(bob, 1_000);
        c.mint(owner, 1_000);
        c.run(alice, new Body.Stake(600));
        c.run(bob, new Body.Stake(300));
        c.run(owner, new Body.Stake(100));
        long h = c.sm.height();
        long votingEnd = h + 1 + 20;
        assertThat(c.run(alice, new Body.GovProposal(List.of(new Body.ParamChange("marginPpm", 50_000)), votingEnd, "x")).reason())
                .contains("must be after the voting period ends");
        assertThat(c.run(gateway, new Body.GovProposal(List.of(new Body.ParamChange("marginPpm", 50_000)), votingEnd + 50, "x")).reason())
                .contains("only staked accounts may propose");
        assertThat(c.run(alice, new Body.GovProposal(List.of(new Body.ParamChange("nonsense", 1)), votingEnd + 50, "x")).reason())
                .contains("unknown parameter 'nonsense'");
        TxResult p = c.run(alice, new Body.GovProposal(List.of(new Body.ParamChange("marginPpm", 50_000), new Body.ParamChange("costPerTflop", 3_000)), h + 40, "cheaper margin"));
        assertThat(p.ok()).isTrue();
        Hash32 pid = p.txId();
        long end = c.sm.height() + 20;
        c.run(alice, new Body.Vote(pid, true));
        c.run(bob, new Body.Vote(pid, false));
        // yes 600 of 900 voting = 66.67% < 66.7%: owner's yes makes it 700/1000 = 70%
        c.run(owner, new Body.Vote(pid, true));
        while (c.sm.height() < end - 1) c.mint(bob, 1);
        StateMachine.Applied last = c.apply(c.tx(c.minter, new Body.Mint(bob.publicKey(), 1)));
        assertThat(last.block().height()).isEqualTo(end);
        assertThat(last.results().getFirst().effects()).contains(new Effect.ProposalDecided(pid, true, 700, 300, 1_000));
        assertThat(c.sm.params().marginPpm()).isEqualTo(100_000); // not yet effective
        assertThat(c.run(bob, new Body.Vote(pid, true)).reason()).contains("closed at height " + end);
        while (c.sm.height() < h + 39) c.mint(bob, 1);
        TxResult eff = c.run(c.minter, new Body.Mint(bob.publicKey(), 1));
        assertThat(eff.height()).isEqualTo(h + 40);
        assertThat(eff.effects()).contains(new Effect.ParamChanged(pid, "marginPpm", 100_000, 50_000), new Effect.ParamChanged(pid, "costPerTflop", 2_000, 3_000));
        assertThat(c.sm.params().pricePerTflop()).isEqualTo(3_150);
    }

    @Test
    void proposalWithoutQuorumIsRejected() {
        Chain c = new Chain();
        c.mint(alice, 1_000);
        c.mint(bob, 1_000);
        c.run(alice, new Body.Stake(100));
        c.run(bob, new Body.Stake(900));
        TxResult p = c.run(alice, new Body.GovProposal(List.of(new Body.ParamChange("auditRatePpm", 20_000)), c.sm.height() + 30, ""));
        c.run(alice, new Body.Vote(p.txId(), true)); // 10% of stake voted: below the 33.4% quorum
        for (int i = 0; i < 25; i++) c.mint(bob, 1);
        assertThat(c.sm.proposals().getFirst().status()).isEqualTo("rejected");
        assertThat(c.sm.params().auditRatePpm()).isEqualTo(10_000);
    }

    @Test
    void applyIsDeterministicAcrossReplicas() {
        Chain a = new Chain();
        Chain b = new Chain();
        for (Chain c : List.of(a, b)) {
            c.mint(alice, 5_000);
            c.run(alice, new Body.Transfer(bob.publicKey(), 1_234));
            c.run(bob, new Body.Burn(34));
        }
        assertThat(a.sm.lastBlockHash()).isEqualTo(b.sm.lastBlockHash());
        assertThat(a.sm.stateHash()).isEqualTo(b.sm.stateHash());
        assertThat(a.sm.burned()).isEqualTo(34);
    }

    @Test
    void snapshotRoundTripPreservesStateHash() {
        Chain c = new Chain();
        c.mint(alice, 5_000);
        c.run(alice, new Body.Stake(1_000));
        c.run(alice, new Body.Authorize(gateway.publicKey(), 100));
        c.run(alice, new Body.GovProposal(List.of(new Body.ParamChange("minStake", 5)), c.sm.height() + 50, "d"));
        StateMachine back = StateMachine.fromSnapshot(c.sm.snapshot());
        assertThat(back.stateHash()).isEqualTo(c.sm.stateHash());
        assertThat(back.height()).isEqualTo(c.sm.height());
        assertThat(back.lastBlockHash()).isEqualTo(c.sm.lastBlockHash());
    }

    @Test
    void malformedBytesGiveClearErrors() {
        Transaction t = Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), 5));
        byte[] enc = t.encode();
        assertThat(Transaction.decode(enc)).isEqualTo(t);
        byte[] truncated = java.util.Arrays.copyOf(enc, enc.length - 70);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Transaction.decode(truncated)).isInstanceOf(MalformedException.class).hasMessageContaining("truncated");
        byte[] badTag = enc.clone();
        badTag[4 + "braid/tx/v1".length() + 32 + 8 + 4] = 99;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Transaction.decode(badTag)).hasMessageContaining("unknown transaction body tag 99");
    }
}
