package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

    @Test
    void embeddedLedgerCommitsSurvivesRestartAndVerifies(@TempDir Path dir) {
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        Hash32 mintId;
        try (Ledger l = Ledger.openEmbedded(dir)) {
            Identity op = l.operator();
            TxResult r = l.submitAndWait(Transaction.sign(op, 1, new byte[0], new Body.Mint(alice.publicKey(), 1_000)));
            assertThat(r.status()).isEqualTo(TxResult.Status.APPLIED);
            mintId = r.txId();
            TxResult t = l.submitAndWait(Transaction.sign(alice, 1, new byte[0], new Body.Transfer(bob.publicKey(), 300)));
            assertThat(t.status()).as(t.reason()).isEqualTo(TxResult.Status.APPLIED);
            TxResult over = l.submitAndWait(Transaction.sign(alice, 2, new byte[0], new Body.Transfer(bob.publicKey(), 5_000)));
            assertThat(over.status()).isEqualTo(TxResult.Status.REJECTED);
            assertThat(over.reason()).contains("insufficient funds: balance 700 < transfer 5000");
            assertThat(l.account(alice.publicKey()).balance()).isEqualTo(700);
            assertThat(l.height()).isEqualTo(2);
        }
        try (Ledger l = Ledger.openEmbedded(dir)) {
            assertThat(l.height()).isEqualTo(2);
            assertThat(l.account(bob.publicKey()).balance()).isEqualTo(300);
            assertThat(l.tx(mintId)).isPresent();
            ProofBundle p = l.proof(mintId).orElseThrow();
            assertThat(ProofBundle.fromJson(p.toJson()).verify()).isNull();
            assertThat(l.history(alice.publicKey(), 10)).hasSize(2);
        }
        Verifier.Report rep = Verifier.verify(dir);
        assertThat(rep.ok()).as(rep.message()).isTrue();
        assertThat(rep.blocks()).isEqualTo(2);
    }

    @Test
    void restartFromSnapshotPlusLogTailRebuildsTheSameChain(@TempDir Path dir) {
        Identity alice = Identity.generate();
        Hash32 tip;
        try (Ledger l = Ledger.openEmbedded(dir); Billing b = new Billing(l)) {
            for (int i = 0; i < 5; i++) b.faucet(alice.publicKey(), 10);
            assertThat(l.snapshot()).isPositive();
            for (int i = 0; i < 5; i++) b.faucet(alice.publicKey(), 1);
            tip = l.block(l.height()).orElseThrow().hash();
        }
        try (Ledger l = Ledger.openEmbedded(dir)) {
            assertThat(l.height()).isEqualTo(10);
            assertThat(l.block(10).orElseThrow().hash()).isEqualTo(tip);
            assertThat(l.account(alice.publicKey()).balance()).isEqualTo(55);
            assertThat(l.history(alice.publicKey(), 100)).hasSize(10);
        }
        assertThat(Verifier.verify(dir).ok()).isTrue();
    }

    @Test
    void billingHoldsSettlesAndAnswersInsufficientFunds(@TempDir Path dir) throws Exception {
        try (Ledger l = Ledger.openEmbedded(dir); Billing b = new Billing(l)) {
            Billing.NewAccount user = b.createAccount();
            assertThat(b.accountForApiKey(user.apiKey())).contains(user.account());
            assertThat(b.accountForApiKey("brd_nope")).isEmpty();
            b.faucet(user.account(), 10_000);
            Identity owner = Identity.generate();
            Identity node = Identity.generate();
            b.faucet(owner.publicKey(), 200_000_000);
            assertThat(b.isEligible(node.publicKey())).isFalse();
            b.registerNode(owner, node, 100_000_000);
            assertThat(b.isEligible(node.publicKey())).isTrue();
            assertThat(b.prices().pricePerTflop()).isEqualTo(2_200);
            long flops = 1_234_567_890_123L;
            Billing.HoldReceipt h = b.hold(user.account(), b.costOf(flops)).get(10, java.util.concurrent.TimeUnit.SECONDS);
            Billing.Settlement s = b.settle(h.holdId(), List.of(new Body.NodeWork(node.publicKey(), flops))).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(s.charge()).isEqualTo(Amounts.charge(flops, 2_200)).isEqualTo(2_717);
            assertThat(s.rewards()).singleElement().satisfies(r -> assertThat(r.amount()).isEqualTo(2_469));
            assertThat(s.rewards().getFirst().amount() + s.fee() + s.burn()).isEqualTo(s.charge());
            assertThat(s.released()).isZero();
            assertThat(l.account(owner.publicKey()).balance()).isEqualTo(100_000_000 + 2_469);
            assertThat(l.tx(s.txId())).isPresent();
            assertThat(l.proof(s.txId()).orElseThrow().verify()).isNull();
            var broke = b.hold(user.account(), 1_000_000);
            assertThat(broke).failsWithin(10, java.util.concurrent.TimeUnit.SECONDS).withThrowableThat()
                    .havingRootCause().isInstanceOf(InsufficientFundsException.class).withMessageContaining("insufficient funds: balance 7283 < hold 1000000");
            Billing.HoldReceipt h2 = b.hold(user.account(), 500).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(b.release(h2.holdId()).get(10, java.util.concurrent.TimeUnit.SECONDS).amount()).isEqualTo(500);
            assertThat(l.account(user.account()).balance()).isEqualTo(7_283);
            assertThat(l.supply().conservationViolation()).isNull();
        }
    }

    @Test
    void reopensWhenItsRaftPortWasTakenMeanwhile(@TempDir Path dir) throws Exception {
        Identity alice = Identity.generate();
        try (Ledger l = Ledger.openEmbedded(dir); Billing b = new Billing(l)) {
            b.faucet(alice.publicKey(), 7);
        }
        int port = Integer.parseInt(java.nio.file.Files.readString(dir.resolve("raft-port")).strip());
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            try (Ledger l = Ledger.openEmbedded(dir); Billing b = new Billing(l)) {
                b.faucet(alice.publicKey(), 3);
                assertThat(l.account(alice.publicKey()).balance()).isEqualTo(10);
            }
        }
    }
}
