package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.crypto.MerkleTree;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import java.util.Arrays;

/**
 * A signed ledger transaction.
 *
 * @param signer         the account that authorises it (debited account, or an operator under an authorisation)
 * @param nonce          per-signer sequence number: must exceed the signer's last used nonce (gaps allowed, up to
 *                       {@link StateMachine#MAX_NONCE_GAP} ahead)
 * @param idempotencyKey 0..64 bytes chosen by the client; a second transaction of the same signer with the same
 *                       non-empty key is not applied again and resolves to the original's result
 * @param body           what it does
 * @param signature      Ed25519 signature of {@link #signingBytes()} by {@code signer}
 */
public record Transaction(PublicKey signer, long nonce, byte[] idempotencyKey, Body body, byte[] signature) {
    static final String DOMAIN = "braid/tx/v1";
    public static final int MAX_IDEMPOTENCY_KEY = 64;

    public Transaction {
        idempotencyKey = idempotencyKey.clone();
        signature = signature.clone();
        if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
            throw new IllegalArgumentException("idempotency key is " + idempotencyKey.length + " bytes; at most 64");
    }

    /** Builds and signs a transaction with {@code key} as signer. */
    public static Transaction sign(Identity key, long nonce, byte[] idempotencyKey, Body body) {
        Transaction unsigned = new Transaction(key.publicKey(), nonce, idempotencyKey, body, new byte[0]);
        return new Transaction(key.publicKey(), nonce, idempotencyKey, body, key.sign(unsigned.signingBytes()));
    }

    @Override
    public byte[] idempotencyKey() {
        return idempotencyKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The canonical bytes that are signed: domain tag, signer, nonce, idempotency key, body. */
    public byte[] signingBytes() {
        Enc e = new Enc();
        writeUnsigned(e);
        return e.toBytes();
    }

    private void writeUnsigned(Enc e) {
        e.str(DOMAIN).key(signer).i64(nonce).bytes(idempotencyKey);
        Body.encode(body, e);
    }

    /** The transaction id: SHA-256 of the signing bytes (the same whichever valid signature it carries). */
    public Hash32 id() {
        return Hashes.sha256(signingBytes());
    }

    /** The full canonical encoding: signing bytes followed by the length-prefixed signature. */
    public byte[] encode() {
        Enc e = new Enc();
        writeUnsigned(e);
        e.bytes(signature);
        return e.toBytes();
    }

    /** The RFC 6962 leaf hash of this transaction in its block's Merkle tree: H(0x00 || encode()). */
    public Hash32 leafHash() {
        return MerkleTree.leafHash(encode());
    }

    /** True if the signature is the signer's over the signing bytes. */
    public boolean signatureValid() {
        return Signatures.verify(signer, signingBytes(), signature);
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
        return o instanceof Transaction t && Arrays.equals(encode(), t.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(signingBytes());
    }

    @Override
    public String toString() {
        return body.type() + "[signer=" + signer.hex().substring(0, 12) + " nonce=" + nonce + "]";
    }
}
