package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reader for the canonical encoding of {@link Enc}; malformed input raises {@link MalformedException}. */
final class Dec {
    private final byte[] buf;
    private int pos;
    private final int end;

    Dec(byte[] buf) {
        this(buf, 0, buf.length);
    }

    Dec(byte[] buf, int off, int len) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    private void need(int n, String what) {
        if (n < 0 || end - pos < n)
            throw new MalformedException("truncated: " + what + " needs " + n + " bytes at offset " + pos + ", only " + (end - pos) + " left");
    }

    int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    boolean bool(String what) {
        int v = u8(what);
        if (v > 1) throw new MalformedException(what + ": boolean must be 0 or 1, got " + v);
        return v == 1;
    }

    int i32(String what) {
        need(4, what);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long i64(String what) {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xff);
        return v;
    }

    /** A list/collection count, bounded so a corrupt count cannot trigger a huge allocation. */
    int count(String what, int max) {
        int n = i32(what);
        if (n < 0 || n > max) throw new MalformedException(what + ": count " + n + " outside 0.." + max);
        return n;
    }

    byte[] raw(int n, String what) {
        need(n, what);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    byte[] bytes(String what, int max) {
        int n = count(what + " length", max);
        return raw(n, what);
    }

    String str(String what, int max) {
        return new String(bytes(what, max), StandardCharsets.UTF_8);
    }

    Hash32 hash(String what) {
        return new Hash32(raw(32, what));
    }

    PublicKey key(String what) {
        return new PublicKey(raw(32, what));
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos == end;
    }

    void expectEnd(String what) {
        if (pos != end) throw new MalformedException(what + ": " + (end - pos) + " unexpected trailing bytes");
    }
}
