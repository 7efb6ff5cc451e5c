package io.braid.crypto;

import java.util.Arrays;
import java.util.Base64;

/**
 * A 32-byte hash value (SHA-256 output). Immutable: the constructor and {@link #bytes()} copy.
 * Ordered lexicographically by unsigned bytes.
 */
public record Hash32(byte[] bytes) implements Comparable<Hash32> {
    /** The all-zero hash, used as the "previous hash" of the genesis block. */
    public static final Hash32 ZERO = new Hash32(new byte[32]);

    public Hash32 {
        if (bytes == null) throw new IllegalArgumentException("hash bytes are null");
        if (bytes.length != 32) throw new IllegalArgumentException("a hash must be 32 bytes, got " + bytes.length);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Parses 64 hex characters. */
    public static Hash32 ofHex(String hex) {
        byte[] b = Hex.decode(hex);
        if (b.length != 32) throw new IllegalArgumentException("a hash must be 64 hex characters, got " + hex.strip().length());
        return new Hash32(b);
    }

    /** Parses standard base64 of 32 bytes. */
    public static Hash32 ofBase64(String b64) {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(b64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64: '" + Hex.abbreviate(b64) + "'");
        }
        return new Hash32(b);
    }

    public String hex() {
        return Hex.encode(bytes);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Writes the 32 bytes into {@code dst} at {@code off} without copying twice. */
    public void copyTo(byte[] dst, int off) {
        System.arraycopy(bytes, 0, dst, off, 32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash32 h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Hash32 o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
