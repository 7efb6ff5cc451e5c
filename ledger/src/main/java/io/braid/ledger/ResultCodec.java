package io.braid.ledger;

import java.util.ArrayList;
import java.util.List;

/** Binary form of {@link TxResult}s, carried in Raft replies from the replica that applied a proposal. */
final class ResultCodec {
    private ResultCodec() {}

    static byte[] encode(List<TxResult> rs) {
        Enc e = new Enc(64 + rs.size() * 128);
        e.i32(rs.size());
        for (TxResult r : rs) {
            e.hash(r.txId()).u8(r.status().ordinal()).str(r.reason()).i64(r.height()).i32(r.index()).i32(r.effects().size());
            for (Effect f : r.effects()) encode(f, e);
        }
        return e.toBytes();
    }

    static List<TxResult> decode(byte[] b) {
        Dec d = new Dec(b);
        int n = d.count("results", Integer.MAX_VALUE);
        List<TxResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var id = d.hash("id");
            var st = TxResult.Status.values()[d.u8("status")];
            String reason = d.str("reason", 1 << 16);
            long h = d.i64("height");
            int idx = d.i32("index");
            int ne = d.count("effects", Integer.MAX_VALUE);
            List<Effect> fs = new ArrayList<>(ne);
            for (int j = 0; j < ne; j++) fs.add(decodeEffect(d));
            out.add(new TxResult(id, st, reason, h, idx, fs));
        }
        return out;
    }

    private static void encode(Effect f, Enc e) {
        switch (f) {
            case Effect.HoldPlaced x -> e.u8(1).hash(x.holdId()).key(x.payer()).i64(x.amount());
            case Effect.Charged x -> e.u8(2).hash(x.holdId()).key(x.payer()).i64(x.flops()).i64(x.pricePerTflop()).i64(x.charge()).i64(x.released());
            case Effect.NodeReward x -> e.u8(3).hash(x.holdId()).key(x.node()).key(x.owner()).i64(x.flops()).i64(x.amount());
            case Effect.ProtocolFee x -> e.u8(4).hash(x.holdId()).i64(x.amount());
            case Effect.Burned x -> e.u8(5).i64(x.amount()).str(x.reason());
            case Effect.Released x -> e.u8(6).hash(x.holdId()).key(x.payer()).i64(x.amount());
            case Effect.ItemSkipped x -> e.u8(7).i32(x.index()).hash(x.holdId()).str(x.reason());
            case Effect.Slashed x -> e.u8(8).key(x.node()).key(x.owner()).i64(x.amount()).key(x.reporter()).i64(x.toReporter()).i64(x.burned());
            case Effect.ProposalDecided x -> e.u8(9).hash(x.proposalId()).bool(x.accepted()).i64(x.yesStake()).i64(x.noStake()).i64(x.totalStake());
            case Effect.ParamChanged x -> e.u8(10).hash(x.proposalId()).str(x.name()).i64(x.oldValue()).i64(x.newValue());
            case Effect.Unbonded x -> e.u8(11).key(x.account()).i64(x.amount());
        }
    }

    private static Effect decodeEffect(Dec d) {
        int tag = d.u8("effect tag");
        return switch (tag) {
            case 1 -> new Effect.HoldPlaced(d.hash("h"), d.key("p"), d.i64("a"));
            case 2 -> new Effect.Charged(d.hash("h"), d.key("p"), d.i64("f"), d.i64("pr"), d.i64("c"), d.i64("r"));
            case 3 -> new Effect.NodeReward(d.hash("h"), d.key("n"), d.key("o"), d.i64("f"), d.i64("a"));
            case 4 -> new Effect.ProtocolFee(d.hash("h"), d.i64("a"));
            case 5 -> new Effect.Burned(d.i64("a"), d.str("r", 1024));
            case 6 -> new Effect.Released(d.hash("h"), d.key("p"), d.i64("a"));
            case 7 -> new Effect.ItemSkipped(d.i32("i"), d.hash("h"), d.str("r", 1 << 16));
            case 8 -> new Effect.Slashed(d.key("n"), d.key("o"), d.i64("a"), d.key("r"), d.i64("t"), d.i64("b"));
            case 9 -> new Effect.ProposalDecided(d.hash("p"), d.bool("a"), d.i64("y"), d.i64("n"), d.i64("t"));
            case 10 -> new Effect.ParamChanged(d.hash("p"), d.str("n", 64), d.i64("o"), d.i64("v"));
            case 11 -> new Effect.Unbonded(d.key("a"), d.i64("a"));
            default -> throw new MalformedException("unknown effect tag " + tag);
        };
    }

    /** A proposal (the Raft log entry): proposer's wall-clock time and the transactions, in order. */
    static byte[] encodeProposal(long timeMillis, List<Transaction> txs) {
        Enc e = new Enc(64 + txs.size() * 256);
        e.str("braid/proposal/v1").i64(timeMillis).i32(txs.size());
        for (Transaction t : txs) e.bytes(t.encodedShared());
        return e.toBytes();
    }

    record Proposal(long timeMillis, List<Transaction> txs) {}

    static Proposal decodeProposal(byte[] b) {
        Dec d = new Dec(b);
        String tag = d.str("proposal tag", 32);
        if (!"braid/proposal/v1".equals(tag)) throw new MalformedException("not a ledger proposal");
        long t = d.i64("time");
        int n = d.count("txs", 10_000_000);
        List<Transaction> txs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] tb = d.bytes("tx", 64 << 20);
            txs.add(Transaction.decode(tb));
        }
        return new Proposal(t, txs);
    }
}
