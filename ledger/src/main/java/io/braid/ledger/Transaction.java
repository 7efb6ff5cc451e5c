package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.crypto.MerkleTree;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import java.util.Arrays;

/**
 * A signed ledger transaction (immutable).
 *
 * <p>Fields: signer         the account that authorises it (debited account, or an operator under an authorisation)
 * nonce          per-signer sequence number: must exceed the signer's last used nonce (gaps allowed, up to
 *                       {@link StateMachine#MAX_NONCE_GAP} ahead)
 * idempotencyKey 0..64 bytes chosen by the client; a second transaction of the same signer with the same
 *                       non-empty key is not applied again and resolves to the original's result
 * body           what it does
 * signature      Ed25519 signature of {@link #signingBytes()} by {@code signer}
 */
public final class Transaction {
    static final String DOMAIN = "braid/tx/v1";
    public static final int MAX_IDEMPOTENCY_KEY = 64;

    private final PublicKey signer;
    private final long nonce;
    private final byte[] idempotencyKey;
    private final Body body;
    private final byte[] signature;
    // Encodings are computed once: a batch transaction can be megabytes and is hashed, verified and stored.
    private final byte[] signingBytes;
    private final Hash32 id;
    private volatile byte[] encoded;

    public Transaction(PublicKey signer, long nonce, byte[] idempotencyKey, Body body, byte[] signature) {
        if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
            throw new IllegalArgumentException("idempotency key is " + idempotencyKey.length + " bytes; at most 64");
        this.signer = signer;
        this.nonce = nonce;
        this.idempotencyKey = idempotencyKey.clone();
        this.body = body;
        this.signature = signature.clone();
        Enc e = new Enc(256);
        e.str(DOMAIN).key(signer).i64(nonce).bytes(this.idempotencyKey);
        Body.encode(body, e);
        this.signingBytes = e.toBytes();
        this.id = Hashes.sha256(signingBytes);
    }

    /** Builds and signs a transaction with {@code key} as signer. */
    public static Transaction sign(Identity key, long nonce, byte[] idempotencyKey, Body body) {
        Transaction unsigned = new Transaction(key.publicKey(), nonce, idempotencyKey, body, new byte[0]);
        return unsigned.withSignature(key.sign(unsigned.signingBytes));
    }

    /** The same transaction carrying {@code sig} (reuses the encoding). */
    public Transaction withSignature(byte[] sig) {
        return new Transaction(signer, nonce, idempotencyKey, body, sig);
    }

    public PublicKey signer() {
        return signer;
    }

    public long nonce() {
        return nonce;
    }

    public Body body() {
        return body;
    }

    public byte[] idempotencyKey() {
        return idempotencyKey.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    int idempotencyKeyLength() {
        return idempotencyKey.length;
    }

    /** The canonical bytes that are signed: domain tag, signer, nonce, idempotency key, body. */
    public byte[] signingBytes() {
        return signingBytes.clone();
    }

    byte[] signingBytesShared() {
        return signingBytes;
    }

    /** The transaction id: SHA-256 of the signing bytes (the same whichever valid signature it carries). */
    public Hash32 id() {
        return id;
    }

    /** The full canonical encoding: signing bytes followed by the length-prefixed signature. */
    public byte[] encode() {
        return encodedShared().clone();
    }

    byte[] encodedShared() {
        byte[] b = encoded;
        if (b == null) {
            Enc e = new Enc(signingBytes.length + 72);
            e.raw(signingBytes).bytes(signature);
            encoded = b = e.toBytes();
        }
        return b;
    }

    /** The RFC 6962 leaf hash of this transaction in its block's Merkle tree: H(0x00 || encode()). */
    public Hash32 leafHash() {
        return MerkleTree.leafHash(encodedShared());
    }

    /** True if the signature is the signer's over the signing bytes. */
    public boolean signatureValid() {
        return Signatures.verify(signer, signingBytes, signature);
    }

    public static Transaction decode(byte[] bytes) {
        Dec d = new Dec(bytes);
        Transaction t = decode(d);
        d.expectEnd("transaction");
        return t;
    }

    static Transaction decode(Dec d) {
        String domain = d.str("domain tag", 32);
        if (!DOMAIN.equals(domain)) throw new MalformedException("not a braid transaction (domain tag '" + domain + "')");
        PublicKey signer = d.key("signer");
        long nonce = d.i64("nonce");
        byte[] idem = d.bytes("idempotency key", MAX_IDEMPOTENCY_KEY);
        Body body = Body.decode(d);
        byte[] sig = d.bytes("signature", 64);
        return new Transaction(signer, nonce, idem, body, sig);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transaction t && Arrays.equals(encodedShared(), t.encodedShared());
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return body.type() + "[signer=" + signer.hex().substring(0, 12) + " nonce=" + nonce + "]";
    }
}
