package io.braid.ledger;

import io.braid.crypto.Hash32;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
            // Signatures do not depend on state: check a window of blocks' signatures in parallel, then replay in order.
            final int window = 256;
            for (int start = 1; start <= n; start += window) {
                int end = Math.min(n, start + window - 1);
                List<Block> blocks = new ArrayList<>(end - start + 1);
                for (int pos = start; pos <= end; pos++) {
                    try {
                        blocks.add(store.read(pos));
                    } catch (MalformedException e) {
                        if (blocks.isEmpty()) return fail(pos, pos - 1, txs, "block " + pos + ": malformed: " + e.getMessage(), g, t0);
                        break; // replay the good prefix first so an earlier error is reported first
                    }
                }
                record Sig(int block, int tx) {}
                List<Sig> jobs = new ArrayList<>();
                boolean[] blockOk = new boolean[blocks.size()];
                boolean[][] txOk = new boolean[blocks.size()][];
                for (int i = 0; i < blocks.size(); i++) {
                    jobs.add(new Sig(i, -1));
                    txOk[i] = new boolean[blocks.get(i).txs().size()];
                    for (int j = 0; j < txOk[i].length; j++) jobs.add(new Sig(i, j));
                }
                jobs.parallelStream().forEach(j -> {
                    Block b = blocks.get(j.block());
                    if (j.tx() < 0) blockOk[j.block()] = b.signatureValid();
                    else txOk[j.block()][j.tx()] = b.txs().get(j.tx()).signatureValid();
                });
                for (int i = 0; i < blocks.size(); i++) {
                    int pos = start + i;
                    String why = sm.replay(blocks.get(i), blockOk[i], txOk[i]);
                    if (why != null) return fail(pos, pos - 1, txs, "block " + pos + ": " + why, g, t0);
                    txs += blocks.get(i).txs().size();
                }
                if (blocks.size() < end - start + 1) start = start + blocks.size() - window; // re-read from the bad block
            }
            // An incomplete last record is a block being written right now (live ledger) or one torn by a crash before it was
            // acknowledged (cut off on reopen); it is not part of the chain, so it is reported but not a failure.
            String tail = store.hasTrailingGarbage() ? "; ignored an incomplete record after block " + n + " (being written, or torn by a crash)" : "";
            return new Report(true, n, txs, 0, "ok: " + n + " blocks, " + txs + " transactions, minted " + sm.minted() + ", burned " + sm.burned()
                    + ", state " + sm.stateHash() + tail, g.hash(), sm.lastBlockHash(), System.nanoTime() - t0);
        } catch (IOException e) {
            return fail(0, 0, txs, e.getMessage(), g, t0);
        }
    }

    private static Report fail(long bad, long blocks, long txs, String msg, Genesis g, long t0) {
        return new Report(false, blocks, txs, bad, msg, g == null ? null : g.hash(), null, System.nanoTime() - t0);
    }
}
