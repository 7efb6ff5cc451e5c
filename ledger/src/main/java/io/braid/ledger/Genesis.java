package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger's starting point: chain id, time, parameters and the keys with special powers. Block 1's
 * previous hash is {@link #hash()}.
 *
 * @param validators keys whose block signatures are accepted
 * @param minters    keys allowed to {@link Body.Mint} (the dev faucet; later the bridge)
 * @param slashers   keys allowed to submit {@link Body.Slash} (gateways that check fraud evidence)
 * @param treasury   account receiving protocol fees
 */
public record Genesis(String chainId, long timeMillis, Params params, List<PublicKey> validators,
                      List<PublicKey> minters, List<PublicKey> slashers, PublicKey treasury) {
    public Genesis {
        validators = List.copyOf(validators);
        minters = List.copyOf(minters);
        slashers = List.copyOf(slashers);
        if (validators.isEmpty()) throw new IllegalArgumentException("genesis needs at least one validator key");
    }

    public byte[] encode() {
        Enc e = new Enc();
        e.str("braid/genesis/v1").str(chainId).i64(timeMillis);
        params.encode(e);
        for (List<PublicKey> l : List.of(validators, minters, slashers)) {
            e.i32(l.size());
            for (PublicKey k : l) e.key(k);
        }
        e.key(treasury);
        return e.toBytes();
    }

    public static Genesis decode(byte[] bytes) {
        Dec d = new Dec(bytes);
        String tag = d.str("genesis tag", 32);
        if (!"braid/genesis/v1".equals(tag)) throw new MalformedException("not a braid genesis file (tag '" + tag + "')");
        String chain = d.str("chain id", 256);
        long time = d.i64("genesis time");
        Params p = Params.decode(d);
        List<List<PublicKey>> lists = new ArrayList<>();
        for (String what : List.of("validators", "minters", "slashers")) {
            int n = d.count(what, 1024);
            List<PublicKey> l = new ArrayList<>();
            for (int i = 0; i < n; i++) l.add(d.key(what));
            lists.add(l);
        }
        PublicKey treasury = d.key("treasury");
        d.expectEnd("genesis");
        return new Genesis(chain, time, p, lists.get(0), lists.get(1), lists.get(2), treasury);
    }

    public Hash32 hash() {
        return Hashes.sha256(encode());
    }

    /** The conventional treasury account of a dev chain: a key nobody holds (SHA-256 of a label). */
    public static PublicKey devTreasury() {
        return new PublicKey(Hashes.sha256("braid/treasury".getBytes(java.nio.charset.StandardCharsets.UTF_8)).bytes());
    }
}
