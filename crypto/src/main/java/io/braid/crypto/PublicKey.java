package io.braid.crypto;

import java.util.Arrays;

/**
 * A raw 32-byte Ed25519 public key (RFC 8032 encoding). Accounts and node identities are these.
 * Ordered lexicographically by unsigned bytes.
 */
public record PublicKey(byte[] bytes) implements Comparable<PublicKey> {
    public PublicKey {
        if (bytes == null) throw new IllegalArgumentException("public key bytes are null");
        if (bytes.length != 32) throw new IllegalArgumentException("an Ed25519 public key must be 32 bytes, got " + bytes.length);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Parses 64 hex characters; the message names what was wrong. */
    public static PublicKey ofHex(String hex) {
        byte[] b = Hex.decode(hex);
        if (b.length != 32) throw new IllegalArgumentException("an Ed25519 public key is 64 hex characters, got " + hex.strip().length());
        return new PublicKey(b);
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    /** Writes the 32 bytes into {@code dst} at {@code off}. */
    public void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, 32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(PublicKey o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
