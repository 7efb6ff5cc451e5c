package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Corrupted encodings never crash the decoders: they decode to something or fail with a MalformedException. */
class DecodeRobustnessTest {

    private static List<byte[]> samples() {
        Identity a = Identity.fromSeed(Chain.seed(60));
        Identity b = Identity.fromSeed(Chain.seed(61));
        List<Body> bodies = List.of(
                new Body.Mint(a.publicKey(), 5), new Body.Transfer(b.publicKey(), 7), new Body.Authorize(b.publicKey(), 9),
                new Body.EscrowHold(List.of(new Body.Hold(Hashes.sha256(new byte[] {1}), a.publicKey(), 3))),
                new Body.EscrowCharge(List.of(new Body.Settlement(Hashes.sha256(new byte[] {1}), List.of(new Body.NodeWork(b.publicKey(), 1_000))))),
                new Body.EscrowRelease(List.of(Hashes.sha256(new byte[] {2}))), new Body.Burn(1), new Body.Stake(2), new Body.Unstake(3),
                new Body.CompleteUnbonding(), new Body.Slash(b.publicKey(), a.publicKey(), new byte[] {1, 2, 3}),
                new Body.GovProposal(List.of(new Body.ParamChange("minStake", 4)), 99, "why"), new Body.Vote(Hashes.sha256(new byte[] {3}), true),
                new Body.NodeRegistration(b.publicKey(), new byte[64]));
        List<byte[]> out = new ArrayList<>();
        long n = 1;
        for (Body body : bodies) out.add(Transaction.sign(a, n++, "k".getBytes(), body).encode());
        return out;
    }

    @Test
    void everyBodyRoundTrips() {
        for (byte[] enc : samples()) assertThat(Transaction.decode(enc).encode()).isEqualTo(enc);
    }

    @Test
    void mutatedTransactionsAndBlocksFailCleanly() {
        Random r = new Random(7);
        List<byte[]> samples = samples();
        Chain c = new Chain();
        c.mint(Identity.fromSeed(Chain.seed(62)), 5);
        byte[] block = c.apply(c.tx(c.minter, new Body.Mint(Identity.fromSeed(Chain.seed(63)).publicKey(), 1))).block().encode();
        for (int i = 0; i < 20_000; i++) {
            boolean blk = i % 5 == 0;
            byte[] src = blk ? block : samples.get(r.nextInt(samples.size()));
            byte[] m = mutate(src, r);
            try {
                if (blk) Block.decode(m);
                else Transaction.decode(m);
            } catch (MalformedException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                fail("decoder crashed on mutated input " + i + " with " + e, e);
            }
        }
    }

    private static byte[] mutate(byte[] src, Random r) {
        byte[] m = src.clone();
        switch (r.nextInt(4)) {
            case 0 -> m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
            case 1 -> m = Arrays.copyOf(m, r.nextInt(m.length));
            case 2 -> {
                for (int k = 0; k < 4; k++) m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            default -> {
                byte[] longer = Arrays.copyOf(m, m.length + 1 + r.nextInt(8));
                longer[longer.length - 1] = (byte) r.nextInt(256);
                m = longer;
            }
        }
        return m;
    }
}
