package io.braid.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.braid.crypto.Identity;
import io.braid.protocol.RejectedMessageException.Reason;
import io.braid.protocol.v1.Heartbeat;
import io.braid.protocol.v1.NodeState;
import io.braid.protocol.v1.Signed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EnvelopeVerifierTest {
    private final Identity node = Identity.generate();
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    private final Heartbeat hb = Heartbeat.newBuilder().setState(NodeState.READY).setActiveSessions(3).build();

    private EnvelopeVerifier verifierAt(Instant t) {
        return new EnvelopeVerifier(Clock.fixed(t, ZoneOffset.UTC), Envelopes.MAX_SKEW);
    }

    private EnvelopeSigner signerAt(Instant t) {
        return new EnvelopeSigner(node, Clock.fixed(t, ZoneOffset.UTC));
    }

    private static RejectedMessageException.Reason reasonOf(Runnable r) {
        try {
            r.run();
        } catch (RejectedMessageException e) {
            return e.reason();
        }
        throw new AssertionError("message was accepted");
    }

    @Test
    void acceptsAValidSignedMessageOnce() {
        EnvelopeVerifier v = verifierAt(t0);
        Signed s = signerAt(t0).sign(hb);
        assertThat(v.open(s, "Heartbeat", Heartbeat.parser(), node.publicKey())).isEqualTo(hb);
        assertThat(reasonOf(() -> v.open(s, "Heartbeat", Heartbeat.parser(), node.publicKey()))).isEqualTo(Reason.REPLAYED);
    }

    @Test
    void rejectsUnsignedAndTampered() {
        EnvelopeVerifier v = verifierAt(t0);
        Signed s = signerAt(t0).sign(hb);
        assertThat(reasonOf(() -> v.open(s.toBuilder().clearSignature().build(), "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.UNSIGNED);
        Signed tampered = s.toBuilder().setPayload(hb.toBuilder().setActiveSessions(4).build().toByteString()).build();
        assertThat(reasonOf(() -> v.open(tampered, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.BAD_SIGNATURE);
        Signed bumped = s.toBuilder().setCounter(s.getCounter() + 1).build(); // counter is covered by the signature
        assertThat(reasonOf(() -> v.open(bumped, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.BAD_SIGNATURE);
        Signed otherKey = s.toBuilder().setNodeKey(ByteString.copyFrom(Identity.generate().publicKeyBytes())).build();
        assertThat(reasonOf(() -> v.open(otherKey, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(reasonOf(() -> v.open(s, "Heartbeat", Heartbeat.parser(), Identity.generate().publicKey()))).isEqualTo(Reason.WRONG_KEY);
        assertThat(reasonOf(() -> v.open(s, "NodeHello", Heartbeat.parser(), null))).isEqualTo(Reason.WRONG_KIND);
    }

    @Test
    void rejectsStaleAndFutureMessagesBeyond30Seconds() {
        Signed old = signerAt(t0.minusSeconds(31)).sign(hb);
        Signed future = signerAt(t0.plusSeconds(31)).sign(hb);
        Signed slightlyOld = signerAt(t0.minusSeconds(29)).sign(hb);
        EnvelopeVerifier v = verifierAt(t0);
        assertThatThrownBy(() -> v.open(old, "Heartbeat", Heartbeat.parser(), null))
                .isInstanceOf(RejectedMessageException.class).hasMessageContaining("31.0 s old");
        assertThat(reasonOf(() -> v.open(future, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.STALE);
        assertThat(v.open(slightlyOld, "Heartbeat", Heartbeat.parser(), null)).isEqualTo(hb);
    }

    @Test
    void outOfOrderCountersAreFineButEachOnlyOnceEvenAfterTheWindowMoves() {
        EnvelopeSigner signer = signerAt(t0);
        Signed a = signer.sign(hb), b = signer.sign(hb), c = signer.sign(hb);
        EnvelopeVerifier v = verifierAt(t0);
        v.open(c, "Heartbeat", Heartbeat.parser(), null);
        v.open(a, "Heartbeat", Heartbeat.parser(), null); // concurrent streams deliver out of order
        assertThat(reasonOf(() -> v.open(a, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.REPLAYED);
        // A verifier 20 s later still remembers what it accepted (inside the skew window).
        EnvelopeVerifier later = new EnvelopeVerifier(Clock.offset(Clock.fixed(t0, ZoneOffset.UTC), Duration.ofSeconds(20)), Envelopes.MAX_SKEW);
        later.open(b, "Heartbeat", Heartbeat.parser(), null);
        assertThat(reasonOf(() -> later.open(b, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.REPLAYED);
    }

    @Test
    void malformedPayloadIsRejectedAfterTheSignatureChecks() {
        Signed s = signerAt(t0).sign("Heartbeat", new byte[] {(byte) 0xFF, 0x01, 0x02});
        assertThat(reasonOf(() -> verifierAt(t0).open(s, "Heartbeat", Heartbeat.parser(), null))).isEqualTo(Reason.MALFORMED);
    }
}
