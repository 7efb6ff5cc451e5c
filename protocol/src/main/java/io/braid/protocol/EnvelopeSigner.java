package io.braid.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.braid.crypto.Identity;
import io.braid.protocol.v1.Signed;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs a node's outgoing messages. The counter starts at the current time in microseconds, so a
 * restarted node (same key) keeps counting upward and its fresh messages are never taken for replays.
 */
public final class EnvelopeSigner {
    private final Identity identity;
    private final Clock clock;
    private final byte[] key;
    private final AtomicLong counter;

    public EnvelopeSigner(Identity identity, Clock clock) {
        this.identity = identity;
        this.clock = clock;
        this.key = identity.publicKeyBytes();
        this.counter = new AtomicLong(clock.millis() * 1000);
    }

    public Identity identity() {
        return identity;
    }

    /** Wraps {@code message} in a signed envelope of kind = its protobuf type name. */
    public Signed sign(Message message) {
        return sign(message.getDescriptorForType().getName(), message.toByteArray());
    }

    /** Signs raw payload bytes as {@code kind} (tests use this to forge malformed payloads). */
    public Signed sign(String kind, byte[] payload) {
        long ts = clock.millis();
        long n = counter.incrementAndGet();
        byte[] sig = identity.sign(Envelopes.canonical(kind, key, ts, n, payload));
        return Signed.newBuilder().setKind(kind).setPayload(ByteString.copyFrom(payload)).setNodeKey(ByteString.copyFrom(key))
                .setTimestampMs(ts).setCounter(n).setSignature(ByteString.copyFrom(sig)).build();
    }
}
