package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommitmentTest {

    static Commitment sample(Identity id, int rows, int width, long seed) {
        Random r = new Random(seed);
        float[] out = new float[rows * width];
        for (int i = 0; i < out.length; i++) out[i] = (float) r.nextGaussian();
        return Commitment.sign(id, Hashes.sha256(new byte[]{1}), Hashes.sha256(new byte[]{2}), 3, 7, 10, rows, width,
                TaskHashes.EMPTY_CONTEXT, Hashes.sha256(new byte[]{3}), TaskHashes.floats(out, 0, out.length), true,
                ActivationDigest.of(out, 0, rows, width), new byte[]{9, 9});
    }

    @Test
    void roundTripsAndVerifies() {
        Identity id = Identity.generate();
        Commitment c = sample(id, 5, 64, 1);
        assertThat(c.signatureValid()).isTrue();
        Commitment d = Commitment.decode(c.encode());
        assertThat(d).isEqualTo(c);
        assertThat(d.signatureValid()).isTrue();
        assertThat(d.sameTask(c)).isTrue();
    }

    @Test
    void anyFlippedByteBreaksTheSignatureOrTheDecoding() {
        Commitment c = sample(Identity.generate(), 3, 32, 2);
        byte[] enc = c.encode();
        for (int i = 0; i < enc.length; i++) {
            byte[] bad = enc.clone();
            bad[i] ^= 0x01;
            boolean rejected;
            try {
                rejected = !Commitment.decode(bad).signatureValid();
            } catch (IllegalArgumentException e) {
                rejected = true;
            }
            assertThat(rejected).as("flip at byte %d", i).isTrue();
        }
    }

    @Test
    void malformedBytesGiveOneLineErrors() {
        byte[] enc = sample(Identity.generate(), 2, 32, 3).encode();
        assertThatThrownBy(() -> Commitment.decode(Arrays.copyOf(enc, enc.length - 5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("commitment:");
        assertThatThrownBy(() -> Commitment.decode(Arrays.copyOf(enc, enc.length + 1))).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Commitment.decode(new byte[]{0, 3, 'a', 'b', 'c'})).hasMessageContaining("unknown tag");
    }

    @Test
    void digestIs258BytesPer32PositionsAndCatchesAChangedValue() {
        assertThat(ActivationDigest.bytesFor(32)).isEqualTo(258);
        assertThat(ActivationDigest.bytesFor(64)).isEqualTo(516);
        assertThat(ActivationDigest.bytesFor(1)).isEqualTo(10);
        float[] x = new float[40 * 64];
        Random r = new Random(4);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        byte[] d = ActivationDigest.of(x, 0, 40, 64);
        assertThat(DigestCheck.distance(d, x, 0, 40, 64, 0.02).passes(DigestCheck.Thresholds.DEFAULT)).isTrue();
        int[] top = new int[2];
        ActivationDigest.topK(x, 17 * 64, 64, top);
        x[17 * 64 + top[0]] *= 1.001f;
        assertThat(DigestCheck.distance(d, x, 0, 40, 64, 0.02).passes(DigestCheck.Thresholds.DEFAULT)).isFalse();
        assertThat(DigestCheck.distance(new byte[3], x, 0, 40, 64, 0.02).passes(DigestCheck.Thresholds.DEFAULT)).isFalse();
    }

    @Test
    void fraudProofNeedsThreeDistinctSignersOnTheSameTaskAndDisagreement() {
        Identity node = Identity.generate(), a1 = Identity.generate(), a2 = Identity.generate();
        Commitment bad = sample(node, 4, 64, 10);
        Commitment good1 = sample(a1, 4, 64, 11), good2 = sample(a2, 4, 64, 11);
        FraudProof p = new FraudProof(bad, good1, good2);
        assertThat(p.problem(DigestCheck.Thresholds.DEFAULT)).isEmpty();
        FraudProof q = FraudProof.decode(p.encode());
        assertThat(q.problem(DigestCheck.Thresholds.DEFAULT)).isEmpty();
        // the auditors must agree with each other, and the node must disagree with them
        assertThat(new FraudProof(bad, good1, sample(a2, 4, 64, 12)).problem(DigestCheck.Thresholds.DEFAULT)).get().asString().contains("disagree with each other");
        assertThat(new FraudProof(sample(node, 4, 64, 11), good1, good2).problem(DigestCheck.Thresholds.DEFAULT)).get().asString().contains("agrees");
        assertThat(new FraudProof(bad, good1, sample(a1, 4, 64, 11)).problem(DigestCheck.Thresholds.DEFAULT)).get().asString().contains("three different");
        Hash32 otherInput = Hashes.sha256(new byte[]{42});
        Commitment other = new Commitment(good2.taskId(), good2.modelRoot(), 3, 7, 10, 4, 64, good2.contextHash(), otherInput,
                good2.outputHash(), true, good2.digest(), good2.nonce(), good2.signer(), good2.signature());
        assertThat(new FraudProof(bad, good1, other).problem(DigestCheck.Thresholds.DEFAULT)).get().asString().contains("signature");
        assertThatThrownBy(() -> FraudProof.decode(new byte[]{0, 1, 'x'})).hasMessageContaining("fraud proof");
    }
}
