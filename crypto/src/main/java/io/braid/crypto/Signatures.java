package io.braid.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;

/** Ed25519 signature verification over raw 32-byte keys and 64-byte signatures (RFC 8032, JDK provider). */
public final class Signatures {
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112); the raw key follows. */
    static final byte[] X509_PREFIX = Hex.decode("302a300506032b6570032100");
    /** Length of an Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private Signatures() {}

    /**
     * True if {@code signature} is a valid Ed25519 signature of {@code message} by {@code publicKey}.
     * Malformed keys or signatures verify as false (never throw): callers report "bad signature".
     */
    public static boolean verify(PublicKey publicKey, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH || message == null) return false;
        try {
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(toJdk(publicKey));
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Same as {@link #verify(PublicKey, byte[], byte[])} with a raw key. */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != 32) return false;
        return verify(new PublicKey(publicKey), message, signature);
    }

    static java.security.PublicKey toJdk(PublicKey key) throws GeneralSecurityException {
        byte[] der = new byte[X509_PREFIX.length + 32];
        System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
        key.copyTo(der, X509_PREFIX.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }
}
