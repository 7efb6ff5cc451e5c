package io.braid.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import io.braid.protocol.RejectedMessageException.Reason;
import io.braid.protocol.v1.Signed;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Checks node envelopes: a valid Ed25519 signature by the expected key, a timestamp within
 * {@code maxSkew} of this clock, and a counter this verifier has not accepted before from that key.
 * Counters may arrive out of order (concurrent streams); every counter is remembered until its
 * message would be stale anyway, and anything older than the forgotten ones is rejected.
 */
public final class EnvelopeVerifier {
    private final Clock clock;
    private final long maxSkewMs;
    private final Map<PublicKey, Seen> seen = new ConcurrentHashMap<>();

    public EnvelopeVerifier(Clock clock, Duration maxSkew) {
        this.clock = clock;
        this.maxSkewMs = maxSkew.toMillis();
    }

    /** Counters seen from one key: counter -> timestamp, plus the floor below which all are refused. */
    private static final class Seen {
        final ConcurrentSkipListMap<Long, Long> counters = new ConcurrentSkipListMap<>();
        long floor = Long.MIN_VALUE;
    }

    /**
     * Verifies and parses.
     *
     * @param expectedKey the key the message must be signed by, or null to accept any valid signer
     *     (registration: the key is the identity being registered)
     * @throws RejectedMessageException naming the failed check
     */
    public <T extends Message> T open(Signed s, String kind, Parser<T> parser, PublicKey expectedKey) {
        if (s == null || s.getSignature().isEmpty() || s.getNodeKey().isEmpty())
            throw new RejectedMessageException(Reason.UNSIGNED, "unsigned message (kind '" + (s == null ? "?" : s.getKind()) + "')");
        if (!s.getKind().equals(kind))
            throw new RejectedMessageException(Reason.WRONG_KIND, "expected a " + kind + " message, got '" + s.getKind() + "'");
        byte[] key = s.getNodeKey().toByteArray();
        if (key.length != 32) throw new RejectedMessageException(Reason.UNSIGNED, "node key must be 32 bytes, got " + key.length);
        PublicKey pk = new PublicKey(key);
        if (expectedKey != null && !expectedKey.equals(pk))
            throw new RejectedMessageException(Reason.WRONG_KEY, "message signed by " + shortKey(pk) + ", expected " + shortKey(expectedKey));
        byte[] canonical = Envelopes.canonical(s.getKind(), key, s.getTimestampMs(), s.getCounter(), s.getPayload().toByteArray());
        if (!Signatures.verify(pk, canonical, s.getSignature().toByteArray()))
            throw new RejectedMessageException(Reason.BAD_SIGNATURE, "bad signature on " + kind + " from " + shortKey(pk));
        long now = clock.millis();
        long skew = s.getTimestampMs() - now;
        if (Math.abs(skew) > maxSkewMs)
            throw new RejectedMessageException(Reason.STALE, kind + " from " + shortKey(pk) + " is " + Math.abs(skew) / 1000.0
                    + " s " + (skew < 0 ? "old" : "in the future") + " (max skew " + maxSkewMs / 1000 + " s)");
        checkFresh(pk, s.getCounter(), s.getTimestampMs(), now, kind);
        try {
            return parser.parseFrom(s.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new RejectedMessageException(Reason.MALFORMED, "malformed " + kind + " payload from " + shortKey(pk) + ": " + e.getMessage());
        }
    }

    private void checkFresh(PublicKey pk, long counter, long ts, long now, String kind) {
        Seen s = seen.computeIfAbsent(pk, k -> new Seen());
        synchronized (s) {
            // Forget counters whose messages are stale by now; they can no longer be replayed past the skew check.
            for (Iterator<Map.Entry<Long, Long>> it = s.counters.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Long> e = it.next();
                if (e.getValue() < now - maxSkewMs) {
                    s.floor = Math.max(s.floor, e.getKey());
                    it.remove();
                } else break; // counters rise with time, so the rest are fresher
            }
            if (counter <= s.floor || s.counters.putIfAbsent(counter, ts) != null)
                throw new RejectedMessageException(Reason.REPLAYED, "replayed " + kind + " from " + shortKey(pk) + " (counter " + counter + " already used)");
        }
    }

    private static String shortKey(PublicKey k) {
        return k.hex().substring(0, 16);
    }
}
