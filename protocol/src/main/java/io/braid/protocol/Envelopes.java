package io.braid.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The canonical bytes a node signs: a domain tag, then length-prefixed kind, the 32-byte key, the
 * timestamp and counter (big-endian longs) and the length-prefixed payload. Fixed layout, so any
 * implementation can recompute and verify it.
 */
public final class Envelopes {
    /** Domain separation: a Braid envelope signature can never be mistaken for a ledger signature. */
    static final byte[] DOMAIN = "braid/v1/signed-envelope\0".getBytes(StandardCharsets.US_ASCII);

    /** Maximum clock skew (either direction) accepted by default. */
    public static final java.time.Duration MAX_SKEW = java.time.Duration.ofSeconds(30);

    private Envelopes() {}

    /** The bytes covered by the signature. */
    public static byte[] canonical(String kind, byte[] nodeKey, long timestampMs, long counter, byte[] payload) {
        byte[] k = kind.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(DOMAIN.length + 4 + k.length + 4 + nodeKey.length + 16 + 4 + payload.length);
        bb.put(DOMAIN).putInt(k.length).put(k).putInt(nodeKey.length).put(nodeKey)
                .putLong(timestampMs).putLong(counter).putInt(payload.length).put(payload);
        return bb.array();
    }
}
