package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.crypto.Identity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ClusterTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void threeValidatorsKeepCommittingWithOneDownAndCatchItUp(@TempDir Path dir) throws Exception {
        Identity operator = Identity.fromSeed(Chain.seed(50));
        List<Identity> keys = List.of(Identity.fromSeed(Chain.seed(51)), Identity.fromSeed(Chain.seed(52)), Identity.fromSeed(Chain.seed(53)));
        Genesis g = new Genesis("cluster-test", 1_700_000_000_000L, Params.defaults(), keys.stream().map(Identity::publicKey).toList(),
                List.of(operator.publicKey()), List.of(operator.publicKey()), Genesis.devTreasury());
        List<Ledger.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) peers.add(new Ledger.Peer("v" + i, "127.0.0.1:" + freePort()));
        Ledger[] m = new Ledger[3];
        try {
            for (int i = 0; i < 3; i++) m[i] = Ledger.openMember(dir.resolve("v" + i), g, keys.get(i), i == 0 ? operator : null, peers, "v" + i);
            for (Ledger l : m) l.awaitReady(30_000);
            Identity alice = Identity.fromSeed(Chain.seed(54));
            long nonce = 0;
            for (int i = 0; i < 5; i++)
                assertThat(m[0].submitAndWait(Transaction.sign(operator, ++nonce, new byte[0], new Body.Mint(alice.publicKey(), 100))).status())
                        .isEqualTo(TxResult.Status.APPLIED);
            m[2].close();
            m[2] = null;
            for (int i = 0; i < 10; i++)
                assertThat(m[0].submitAndWait(Transaction.sign(operator, ++nonce, new byte[0], new Body.Mint(alice.publicKey(), 100))).status())
                        .as("commits with one of three validators down").isEqualTo(TxResult.Status.APPLIED);
            // a commit is acknowledged by the leader; this member may apply it a moment later
            long until = System.currentTimeMillis() + 10_000;
            while (m[0].height() < 15 && System.currentTimeMillis() < until) Thread.sleep(20);
            long height = m[0].height();
            assertThat(height).isEqualTo(15);
            m[2] = Ledger.openMember(dir.resolve("v2"), g, keys.get(2), null, peers, "v2");
            long deadline = System.currentTimeMillis() + 30_000;
            while (m[2].height() < height && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertThat(m[2].height()).as("the returning validator caught up").isEqualTo(height);
            assertThat(m[2].account(alice.publicKey()).balance()).isEqualTo(1_500);
            for (long h = 1; h <= height; h++) assertThat(m[2].block(h).orElseThrow().hash()).isEqualTo(m[0].block(h).orElseThrow().hash());
            // each validator signs its own copy of the same headers
            assertThat(m[2].block(height).orElseThrow().signer()).isEqualTo(keys.get(2).publicKey());
            assertThat(m[1].block(height).orElseThrow().signer()).isEqualTo(keys.get(1).publicKey());
        } finally {
            for (Ledger l : m) if (l != null) l.close();
        }
        for (int i = 0; i < 3; i++) {
            Verifier.Report r = Verifier.verify(dir.resolve("v" + i));
            assertThat(r.ok()).as("v%d: %s", i, r.message()).isTrue();
            assertThat(r.blocks()).isEqualTo(15);
        }
    }
}
