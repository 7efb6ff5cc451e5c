package io.braid.ledger;

import io.braid.crypto.Hash32;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code braid ledger verify}: replays a data directory's blocks from genesis and checks every block signature,
 * hash link, Merkle root, transaction signature, nonce, balance, the conservation invariant and the state hash.
 * Needs only {@code genesis.bin} and {@code blocks.dat}; trusts nothing else in the directory.
 */
public final class Verifier {
    private Verifier() {}

    /**
     * @param ok         true only if every check holds
     * @param blocks     blocks checked (all of them if ok)
     * @param txs        transactions replayed
     * @param badBlock   position (1-based) of the first bad block, or 0
     * @param message    what was wrong (or a summary)
     */
    public record Report(boolean ok, long blocks, long txs, long badBlock, String message, Hash32 genesisHash, Hash32 tipHash, long nanos) {}

    public static Report verify(Path dataDir) {
        long t0 = System.nanoTime();
        Path gf = dataDir.resolve("genesis.bin");
        Genesis g;
        try {
            if (!Files.exists(gf)) return fail(0, 0, 0, gf + ": missing; is " + dataDir + " a ledger data directory?", null, t0);
            g = Genesis.decode(Files.readAllBytes(gf));
        } catch (IOException | MalformedException | IllegalArgumentException e) {
            return fail(0, 0, 0, gf + ": unreadable genesis: " + e.getMessage(), null, t0);
        }
        StateMachine sm = StateMachine.genesis(g);
        long txs = 0;
        try (BlockStore store = BlockStore.openForRead(dataDir.resolve("blocks.dat"))) {
            int n = store.count();
            for (int pos = 1; pos <= n; pos++) {
                Block b;
                try {
                    b = store.read(pos);
                } catch (MalformedException e) {
                    return fail(pos, pos - 1, txs, "block " + pos + ": malformed: " + e.getMessage(), g, t0);
                }
                String why = sm.replay(b);
                if (why != null) return fail(pos, pos - 1, txs, "block " + pos + ": " + why, g, t0);
                txs += b.txs().size();
            }
            if (store.hasTrailingGarbage())
                return fail(n + 1, n, txs, "block " + (n + 1) + ": incomplete record at the end of blocks.dat (torn write); reopen the ledger to repair it", g, t0);
            return new Report(true, n, txs, 0, "ok: " + n + " blocks, " + txs + " transactions, minted " + sm.minted() + ", burned " + sm.burned()
                    + ", state " + sm.stateHash(), g.hash(), sm.lastBlockHash(), System.nanoTime() - t0);
        } catch (IOException e) {
            return fail(0, 0, txs, e.getMessage(), g, t0);
        }
    }

    private static Report fail(long bad, long blocks, long txs, String msg, Genesis g, long t0) {
        return new Report(false, blocks, txs, bad, msg, g == null ? null : g.hash(), null, System.nanoTime() - t0);
    }
}
