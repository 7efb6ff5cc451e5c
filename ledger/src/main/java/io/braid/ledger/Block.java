package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Identity;
import io.braid.crypto.MerkleTree;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import java.util.ArrayList;
import java.util.List;

/**
 * A block: header, transactions in order, and the signature of the validator that stored it over the header.
 * Replicas agree on header and transactions (they apply the same Raft log); each signs with its own key.
 */
public record Block(BlockHeader header, List<Transaction> txs, PublicKey signer, byte[] signature) {
    public Block {
        txs = List.copyOf(txs);
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public long height() {
        return header.height();
    }

    public Hash32 hash() {
        return header.hash();
    }

    static Block signed(BlockHeader header, List<Transaction> txs, Identity validator) {
        return new Block(header, txs, validator.publicKey(), validator.sign(header.encode()));
    }

    public boolean signatureValid() {
        return Signatures.verify(signer, header.encode(), signature);
    }

    /** Merkle root over these transactions as they are listed. */
    public static Hash32 txRoot(List<Transaction> txs) {
        List<Hash32> leaves = new ArrayList<>(txs.size());
        for (Transaction t : txs) leaves.add(t.leafHash());
        return MerkleTree.rootOf(leaves);
    }

    public byte[] encode() {
        Enc e = new Enc(256 + txs.size() * 300);
        e.bytes(header.encode()).i32(txs.size());
        for (Transaction t : txs) e.bytes(t.encodedShared());
        e.key(signer).bytes(signature);
        return e.toBytes();
    }

    public static Block decode(byte[] bytes) {
        Dec d = new Dec(bytes);
        BlockHeader h = BlockHeader.decode(d.bytes("header", 4096));
        int n = d.count("transaction count", 10_000_000);
        List<Transaction> txs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] tb = d.bytes("transaction " + i, 64 << 20);
            try {
                txs.add(Transaction.decode(tb));
            } catch (MalformedException | IllegalArgumentException e) {
                throw new MalformedException("transaction " + i + ": " + e.getMessage());
            }
        }
        PublicKey signer = d.key("block signer");
        byte[] sig = d.bytes("block signature", 64);
        d.expectEnd("block");
        return new Block(h, txs, signer, sig);
    }
}
