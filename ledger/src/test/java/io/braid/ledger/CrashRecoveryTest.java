package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CrashRecoveryTest {
    record Ack(Hash32 txId, Hash32 holdId, long charge) {}

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void kill9WhileMeteringLosesNoAcknowledgedSettlementAndAppliesNoneTwice(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashWorker.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Ack> acks = new ArrayList<>();
        PublicKey user;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertThat(line).as("worker did not start").isNotNull().startsWith("READY ");
            user = PublicKey.ofHex(line.substring(6));
            long deadline = System.currentTimeMillis() + 40_000;
            while (acks.size() < 600 && System.currentTimeMillis() < deadline && (line = r.readLine()) != null) {
                if (!line.startsWith("ACK ")) continue;
                String[] f = line.split(" ");
                acks.add(new Ack(Hash32.ofHex(f[1]), Hash32.ofHex(f[2]), Long.parseLong(f[3])));
            }
            p.destroyForcibly(); // SIGKILL while settlements are in flight
            p.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(acks).as("acknowledged settlements before the kill").hasSizeGreaterThan(50);

        try (Ledger l = Ledger.openEmbedded(dir); Billing b = new Billing(l)) {
            for (Ack a : acks) assertThat(l.tx(a.txId())).as("acknowledged settlement tx %s", a.txId()).isPresent();
            // A client retrying any acknowledged settlement is told it is already settled, with the original charge.
            List<java.util.concurrent.CompletableFuture<Billing.Settlement>> retries = new ArrayList<>();
            for (Ack a : acks.subList(0, Math.min(200, acks.size()))) retries.add(b.settle(a.holdId(), List.of()));
            for (int i = 0; i < retries.size(); i++) {
                Ack a = acks.get(i);
                assertThat(retries.get(i)).failsWithin(30, TimeUnit.SECONDS).withThrowableThat()
                        .withMessageContaining("already settled at height").withMessageContaining("(charge " + a.charge() + ")");
            }
            assertThat(l.supply().conservationViolation()).isNull();
            assertThat(l.account(user).balance()).isLessThanOrEqualTo(1_000_000_000_000L - acks.stream().mapToLong(Ack::charge).sum());
        }
        Verifier.Report rep = Verifier.verify(dir);
        assertThat(rep.ok()).as(rep.message()).isTrue();
    }
}
