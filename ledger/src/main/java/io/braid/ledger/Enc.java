package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The canonical binary writer (docs/ledger.md, "Encoding"): big-endian fixed-width integers, booleans as one
 * byte 0/1, byte strings and UTF-8 strings prefixed by a u32 length, lists prefixed by a u32 count, hashes
 * and keys as 32 raw bytes. There is exactly one encoding of every value, so hashes and signatures are
 * deterministic.
 */
final class Enc {
    private byte[] buf;
    private int len;

    Enc() {
        this(128);
    }

    Enc(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    Enc u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    Enc bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    Enc i32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    Enc i64(long v) {
        ensure(8);
        for (int s = 56; s >= 0; s -= 8) buf[len++] = (byte) (v >>> s);
        return this;
    }

    Enc raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    Enc bytes(byte[] b) {
        i32(b.length);
        return raw(b);
    }

    Enc str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Enc hash(Hash32 h) {
        ensure(32);
        h.copyTo(buf, len);
        len += 32;
        return this;
    }

    Enc key(PublicKey k) {
        ensure(32);
        k.copyTo(buf, len);
        len += 32;
        return this;
    }

    int size() {
        return len;
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }
}
