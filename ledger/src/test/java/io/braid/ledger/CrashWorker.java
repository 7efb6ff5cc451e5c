package io.braid.ledger;

import io.braid.crypto.Identity;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Child-process main for {@link CrashRecoveryTest}: meters requests through the embedded ledger as fast as it can
 * and prints one line per acknowledged settlement ("ACK txId holdId charge"), until it is killed.
 */
public final class CrashWorker {
    private CrashWorker() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Ledger ledger = Ledger.openEmbedded(dir);
        Billing billing = new Billing(ledger);
        Identity owner = Identity.fromSeed(Chain.seed(40));
        Identity node = Identity.fromSeed(Chain.seed(41));
        Billing.NewAccount user = billing.createAccount();
        billing.faucet(user.account(), 1_000_000_000_000L);
        billing.faucet(owner.publicKey(), 1_000_000_000L);
        billing.registerNode(owner, node, 100_000_000);
        System.out.println("READY " + user.account().hex());
        System.out.flush();
        Semaphore window = new Semaphore(64);
        for (long i = 1; ; i++) {
            window.acquire();
            long flops = 1_000_000_000L * (1 + i % 97);
            billing.hold(user.account(), billing.costOf(flops) + 10)
                    .thenCompose(h -> billing.settle(h.holdId(), List.of(new Body.NodeWork(node.publicKey(), flops))))
                    .whenComplete((s, e) -> {
                        window.release();
                        if (s != null) {
                            synchronized (System.out) {
                                System.out.println("ACK " + s.txId().hex() + " " + s.holdId().hex() + " " + s.charge());
                                System.out.flush();
                            }
                        }
                    });
        }
    }
}
