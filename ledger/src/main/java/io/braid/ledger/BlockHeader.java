package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;

/**
 * A block header. The block hash is SHA-256 of {@link #encode()}; the validator signs the same bytes.
 *
 * @param txRoot    RFC 6962 Merkle root over the block's transactions (leaf data = {@link Transaction#encode()})
 * @param txCount   number of transactions (binds the tree size used by inclusion proofs)
 * @param stateHash hash of the ledger state after applying the block ({@link LedgerState#hash()})
 */
public record BlockHeader(long height, Hash32 prevHash, long timeMillis, Hash32 txRoot, int txCount, Hash32 stateHash) {
    static final String DOMAIN = "braid/block/v1";

    public byte[] encode() {
        return new Enc(200).str(DOMAIN).i64(height).hash(prevHash).i64(timeMillis).hash(txRoot).i32(txCount).hash(stateHash).toBytes();
    }

    public Hash32 hash() {
        return Hashes.sha256(encode());
    }

    static BlockHeader decode(Dec d) {
        String tag = d.str("block tag", 32);
        if (!DOMAIN.equals(tag)) throw new MalformedException("not a braid block header (tag '" + tag + "')");
        return new BlockHeader(d.i64("height"), d.hash("prevHash"), d.i64("time"), d.hash("txRoot"), d.i32("txCount"), d.hash("stateHash"));
    }

    public static BlockHeader decode(byte[] b) {
        Dec d = new Dec(b);
        BlockHeader h = decode(d);
        d.expectEnd("block header");
        return h;
    }
}
