package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;

import java.security.MessageDigest;

/** The hashes a commitment carries: of float rows (little-endian IEEE, as on the wire in fp32) and the context chain. */
public final class TaskHashes {

    /** Context of a session's first task on a span (no earlier inputs). */
    public static final Hash32 EMPTY_CONTEXT = Hashes.sha256("braid/context/v1".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private TaskHashes() {
    }

    /** SHA-256 of {@code x[off..off+n)} as little-endian float32 bytes. */
    public static Hash32 floats(float[] x, int off, int n) {
        MessageDigest md = Hashes.newSha256();
        int chunk = Math.min(n, 8192);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(chunk * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.nio.FloatBuffer fb = buf.asFloatBuffer();
        for (int i = 0; i < n; i += chunk) {
            int m = Math.min(chunk, n - i);
            fb.clear();
            fb.put(x, off + i, m);
            md.update(buf.array(), 0, m * 4);
        }
        return new Hash32(md.digest());
    }

    /** SHA-256 of encoded bytes (an activation codec's output as forwarded). */
    public static Hash32 bytes(byte[] b) {
        return Hashes.sha256(b);
    }

    /** The context after a task: {@code H(context ‖ inputHash)} — binds the whole history of a session's inputs. */
    public static Hash32 chain(Hash32 context, Hash32 inputHash) {
        return Hashes.sha256(context.bytes(), inputHash.bytes());
    }
}
