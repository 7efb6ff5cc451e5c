package io.braid.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.braid.crypto.Hash32;
import io.braid.crypto.Hex;
import io.braid.crypto.MerkleTree;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An offline-checkable inclusion proof: the transaction, its RFC 6962 audit path, and the block header signed by a
 * validator. All byte fields are lower-case hex. Check with {@link #verify()} (or {@code braid ledger check-proof}).
 *
 * @param tx        the transaction's canonical encoding ({@link Transaction#encode()})
 * @param txId      its id (SHA-256 of its signing bytes)
 * @param index     leaf index in the block
 * @param path      audit path, bottom-up
 * @param header    the block header's canonical encoding
 * @param blockHash SHA-256 of the header
 * @param signer    the validator key that signed the header
 * @param signature its Ed25519 signature over the header encoding
 * @param genesisHash the chain this block belongs to (compare with the ledger you trust)
 */
public record ProofBundle(String tx, String txId, long height, long index, long txCount, List<String> path,
                          String header, String blockHash, String signer, String signature, String genesisHash) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ProofBundle {
        path = List.copyOf(path);
    }

    static ProofBundle of(Block b, int index, Hash32 genesisHash) {
        List<Hash32> leaves = new ArrayList<>(b.txs().size());
        for (Transaction t : b.txs()) leaves.add(t.leafHash());
        MerkleTree.InclusionProof p = MerkleTree.ofLeafHashes(leaves).inclusionProof(index);
        List<String> path = p.path().stream().map(Hash32::hex).toList();
        Transaction t = b.txs().get(index);
        return new ProofBundle(Hex.encode(t.encode()), t.id().hex(), b.height(), index, b.txs().size(), path,
                Hex.encode(b.header().encode()), b.hash().hex(), b.signer().hex(), Hex.encode(b.signature()), genesisHash.hex());
    }

    /** Returns null if every check passes, else a one-line reason. Needs nothing but this bundle. */
    public String verify() {
        Transaction t;
        BlockHeader h;
        try {
            t = Transaction.decode(Hex.decode(tx));
            h = BlockHeader.decode(Hex.decode(header));
        } catch (RuntimeException e) {
            return "malformed proof: " + e.getMessage();
        }
        if (!t.id().hex().equals(txId)) return "txId does not match the transaction bytes";
        if (!t.signatureValid()) return "transaction signature invalid";
        if (h.height() != height) return "height " + height + " does not match the header's " + h.height();
        if (h.txCount() != txCount) return "txCount " + txCount + " does not match the header's " + h.txCount();
        if (!h.hash().hex().equals(blockHash)) return "blockHash does not match the header bytes";
        List<Hash32> p = new ArrayList<>();
        try {
            for (String s : path) p.add(Hash32.ofHex(s));
            if (!Signatures.verify(PublicKey.ofHex(signer), Hex.decode(header), Hex.decode(signature)))
                return "block header signature invalid for validator " + signer;
        } catch (IllegalArgumentException e) {
            return "malformed proof: " + e.getMessage();
        }
        if (!MerkleTree.verifyInclusion(t.leafHash(), index, txCount, p, h.txRoot()))
            return "Merkle path does not lead from the transaction to the header's txRoot";
        return null;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new LedgerException("cannot write proof JSON: " + e.getMessage(), e);
        }
    }

    public static ProofBundle fromJson(String json) {
        try {
            return JSON.readValue(json, ProofBundle.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a proof bundle: " + e.getOriginalMessage());
        }
    }

    public static ProofBundle read(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + ": no such file");
        try {
            return fromJson(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }
}
