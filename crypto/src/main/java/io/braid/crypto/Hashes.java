package io.braid.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 helpers. Each call uses its own {@link MessageDigest}, cloned from a never-updated prototype (cloning is
 * much cheaper than a provider lookup), so the helpers are thread-safe.
 */
public final class Hashes {
    private static final MessageDigest PROTOTYPE = lookup();

    private Hashes() {}

    private static MessageDigest lookup() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** A new SHA-256 digest (every JDK ships one). */
    public static MessageDigest newSha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return lookup();
        }
    }

    /** SHA-256 of the concatenation of the given parts. */
    public static Hash32 sha256(byte[]... parts) {
        MessageDigest md = newSha256();
        for (byte[] p : parts) md.update(p);
        return new Hash32(md.digest());
    }

    /** SHA-256 of {@code len} bytes of {@code data} starting at {@code off}. */
    public static Hash32 sha256(byte[] data, int off, int len) {
        MessageDigest md = newSha256();
        md.update(data, off, len);
        return new Hash32(md.digest());
    }
}
