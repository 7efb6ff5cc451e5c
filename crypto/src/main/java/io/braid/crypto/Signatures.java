package io.braid.crypto;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 signature verification over raw 32-byte keys and 64-byte signatures (RFC 8032).
 * Uses BouncyCastle's RFC 8032 implementation: every node message, ledger transaction and commitment is
 * verified, and it is several times faster than the JDK provider (which also needs DER-wrapped keys).
 */
public final class Signatures {
    /** Length of an Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;

    private Signatures() {}

    /**
     * True if {@code signature} is a valid Ed25519 signature of {@code message} by {@code publicKey}.
     * Malformed keys or signatures verify as false (never throw): callers report "bad signature".
     */
    public static boolean verify(PublicKey publicKey, byte[] message, byte[] signature) {
        if (publicKey == null) return false;
        return verify(publicKey.bytes(), message, signature);
    }

    /** Same as {@link #verify(PublicKey, byte[], byte[])} with a raw key. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != Ed25519.PUBLIC_KEY_SIZE) return false;
        if (signature == null || signature.length != SIGNATURE_LENGTH || message == null) return false;
        try {
            return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
