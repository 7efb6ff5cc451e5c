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
}
