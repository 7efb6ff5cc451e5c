package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a node signs with every tensor-task result: the task, the weights it claims to have run (the span's
 * {@link ModelIdentity} root), the span and positions, the session's earlier inputs on this span (a hash chain, so
 * an auditor can rebuild the KV cache), the exact input received, the exact output bytes forwarded, a
 * {@link ActivationDigest} of the output activations, whether it ran in deterministic mode, and the gateway's nonce.
 *
 * <p>Encoding (big-endian): {@code "braid/commitment/v1"} (u16 length + UTF-8), taskId, modelRoot, i32 from, i32 to,
 * i32 firstPosition, i32 rows, i32 width, contextHash, inputHash, outputHash, u8 deterministic, bytes digest,
 * bytes nonce, signer key; signature = Ed25519 over that; full encoding appends {@code bytes signature}
 * ({@code bytes} = i32 length + bytes).
 */
public record Commitment(Hash32 taskId, Hash32 modelRoot, int from, int to, int firstPosition, int rows, int width,
                         Hash32 contextHash, Hash32 inputHash, Hash32 outputHash, boolean deterministic,
                         byte[] digest, byte[] nonce, PublicKey signer, byte[] signature) {

    static final String TAG = "braid/commitment/v1";
    private static final int MAX_DIGEST = 1 << 22;

    public Commitment {
        if (from < 0 || to <= from) throw new IllegalArgumentException("commitment span [" + from + ", " + to + ") is empty");
        if (rows <= 0 || firstPosition < 0 || width <= 0) {
            throw new IllegalArgumentException("commitment needs rows > 0, width > 0 and firstPosition >= 0");
        }
        digest = digest.clone();
        nonce = nonce.clone();
        signature = signature.clone();
    }

    /** Signs a commitment with {@code node}'s key. */
    public static Commitment sign(Identity node, Hash32 taskId, Hash32 modelRoot, int from, int to, int firstPosition,
                                  int rows, int width, Hash32 contextHash, Hash32 inputHash, Hash32 outputHash,
                                  boolean deterministic, byte[] digest, byte[] nonce) {
        Commitment unsigned = new Commitment(taskId, modelRoot, from, to, firstPosition, rows, width, contextHash,
                inputHash, outputHash, deterministic, digest, nonce, node.publicKey(), new byte[0]);
        return unsigned.withSignature(node.sign(unsigned.signingBytes()));
    }

    private Commitment withSignature(byte[] sig) {
        return new Commitment(taskId, modelRoot, from, to, firstPosition, rows, width, contextHash, inputHash,
                outputHash, deterministic, digest, nonce, signer, sig);
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** True when the signature is the signer's over {@link #signingBytes()}. */
    public boolean signatureValid() {
        return Signatures.verify(signer, signingBytes(), signature);
    }

    /** True when both commit to the same task: id, model, span, positions, context, input and nonce. */
    public boolean sameTask(Commitment o) {
        return taskId.equals(o.taskId) && modelRoot.equals(o.modelRoot) && from == o.from && to == o.to
                && firstPosition == o.firstPosition && rows == o.rows && width == o.width
                && contextHash.equals(o.contextHash) && inputHash.equals(o.inputHash) && Arrays.equals(nonce, o.nonce);
    }

    /** Hash of the full encoding (the commitment's id in audit logs). */
    public Hash32 id() {
        return Hashes.sha256(encode());
    }

    /** The bytes the signer signs. */
    public byte[] signingBytes() {
        ByteBuffer b = ByteBuffer.allocate(256 + digest.length + nonce.length).order(ByteOrder.BIG_ENDIAN);
        byte[] tag = TAG.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) tag.length).put(tag);
        b.put(taskId.bytes()).put(modelRoot.bytes());
        b.putInt(from).putInt(to).putInt(firstPosition).putInt(rows).putInt(width);
        b.put(contextHash.bytes()).put(inputHash.bytes()).put(outputHash.bytes());
        b.put((byte) (deterministic ? 1 : 0));
        b.putInt(digest.length).put(digest).putInt(nonce.length).put(nonce);
        b.put(signer.bytes());
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Signing bytes followed by the signature. */
    public byte[] encode() {
        byte[] s = signingBytes();
        return ByteBuffer.allocate(s.length + 4 + signature.length).put(s).putInt(signature.length).put(signature).array();
    }

    /** Size of {@link #encode()} in bytes. */
    public int encodedSize() {
        return encode().length;
    }

    /** Decodes {@link #encode()}; throws {@link IllegalArgumentException} naming the bad field. */
    public static Commitment decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN), true);
    }

    static Commitment decode(ByteBuffer b, boolean whole) {
        String field = "tag";
        try {
            byte[] tag = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(tag);
            if (!TAG.equals(new String(tag, StandardCharsets.UTF_8))) {
                throw new IllegalArgumentException("commitment: unknown tag '" + new String(tag, StandardCharsets.UTF_8) + "'");
            }
            field = "hashes";
            Hash32 task = hash(b), model = hash(b);
            field = "span";
            int from = b.getInt(), to = b.getInt(), first = b.getInt(), rows = b.getInt(), width = b.getInt();
            field = "hashes";
            Hash32 ctx = hash(b), in = hash(b), out = hash(b);
            field = "mode";
            int mode = b.get();
            if (mode != 0 && mode != 1) throw new IllegalArgumentException("commitment: mode byte " + mode + " is not 0 or 1");
            field = "digest";
            byte[] digest = bytes(b, MAX_DIGEST, "digest");
            field = "nonce";
            byte[] nonce = bytes(b, 1024, "nonce");
            field = "signer";
            byte[] key = new byte[32];
            b.get(key);
            field = "signature";
            byte[] sig = bytes(b, 1024, "signature");
            if (whole && b.hasRemaining()) throw new IllegalArgumentException("commitment: " + b.remaining() + " trailing bytes");
            return new Commitment(task, model, from, to, first, rows, width, ctx, in, out, mode == 1, digest, nonce,
                    new PublicKey(key), sig);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("commitment: truncated in field " + field);
        }
    }

    private static Hash32 hash(ByteBuffer b) {
        byte[] h = new byte[32];
        b.get(h);
        return new Hash32(h);
    }

    static byte[] bytes(ByteBuffer b, int max, String what) {
        int n = b.getInt();
        if (n < 0 || n > max || n > b.remaining()) throw new IllegalArgumentException("commitment: " + what + " length " + n + " is out of range");
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Commitment c && Arrays.equals(c.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Commitment[task=" + taskId.hex().substring(0, 12) + " span=[" + from + "," + to + ") pos=" + firstPosition
                + "+" + rows + " out=" + outputHash.hex().substring(0, 12) + " node=" + signer.hex().substring(0, 12) + "]";
    }
}
