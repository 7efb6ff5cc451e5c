package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.PublicKey;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger state after some height. Mutable and owned by one thread (the state machine's applier); readers
 * get copies through {@link LedgerView}-style query methods guarded by the owner. Everything that affects
 * what a transaction does is in here, so it is in the state hash and the snapshot.
 */
final class LedgerState {
    /** One account. */
    static final class Account {
        long balance;
        long lastNonce;
        long stake;
        final List<long[]> unbonding = new ArrayList<>(); // {amount, releaseHeight}
        final TreeMap<PublicKey, Long> allowances = new TreeMap<>(); // operator -> remaining cap

        long unbondingTotal() {
            long s = 0;
            for (long[] u : unbonding) s += u[0];
            return s;
        }
    }

    record NodeInfo(PublicKey owner, long registeredHeight, boolean excluded) {}

    record HoldState(PublicKey payer, PublicKey operator, long amount, long height) {}

    /** A closed hold: settled (charge >= 0) or released (charge = -1), for idempotent retries. */
    record ClosedHold(long height, long charge) {}

    static final class Proposal {
        final PublicKey proposer;
        final List<Body.ParamChange> changes;
        final long effectiveHeight;
        final long endHeight;
        final TreeMap<PublicKey, Boolean> votes = new TreeMap<>();
        int status; // 0 open, 1 accepted (pending), 2 rejected, 3 applied

        Proposal(PublicKey proposer, List<Body.ParamChange> changes, long effectiveHeight, long endHeight) {
            this.proposer = proposer;
            this.changes = List.copyOf(changes);
            this.effectiveHeight = effectiveHeight;
            this.endHeight = endHeight;
        }
    }

    final Genesis genesis;
    Params params;
    long height;
    Hash32 lastBlockHash;
    long lastTimeMillis;
    long minted;
    long burned;
    final HashMap<PublicKey, Account> accounts = new HashMap<>();
    final HashMap<PublicKey, NodeInfo> nodes = new HashMap<>();
    final HashMap<Hash32, HoldState> holds = new HashMap<>();
    final HashMap<Hash32, ClosedHold> closedHolds = new HashMap<>();
    final HashMap<Hash32, Proposal> proposals = new HashMap<>();
    /** (signer, idempotency key) digest -> original tx id. */
    final HashMap<Hash32, Hash32> idempotency = new HashMap<>();
    /** Every applied tx id (for duplicate detection of exact resubmissions). */
    final HashMap<Hash32, long[]> appliedTx = new HashMap<>(); // id -> {height, index}
    /** Running hash over the append-only histories above (closed holds, idempotency keys, applied ids). */
    Hash32 historyDigest = Hash32.ZERO;
    /**
     * Multiset hash of the open holds: the sum mod 2^256 of SHA-256(hold encoding) over all open holds, updated in O(1)
     * per hold placed or closed, so the state hash does not re-encode thousands of in-flight holds every block.
     */
    final byte[] holdsAcc = new byte[32];
    long escrowTotal;

    LedgerState(Genesis genesis) {
        this.genesis = genesis;
        this.params = genesis.params();
        this.height = 0;
        this.lastBlockHash = genesis.hash();
        this.lastTimeMillis = genesis.timeMillis();
    }

    void addHold(Hash32 id, HoldState h) {
        holds.put(id, h);
        escrowTotal += h.amount();
        accumulate(holdsAcc, holdDigest(id, h), true);
    }

    void removeHold(Hash32 id) {
        HoldState h = holds.remove(id);
        escrowTotal -= h.amount();
        accumulate(holdsAcc, holdDigest(id, h), false);
    }

    private static byte[] holdDigest(Hash32 id, HoldState h) {
        byte[] enc = new Enc(120).hash(id).key(h.payer()).key(h.operator()).i64(h.amount()).i64(h.height()).toBytes();
        return Hashes.sha256(enc).bytes();
    }

    /** acc = acc ± d (mod 2^256), big-endian. */
    static void accumulate(byte[] acc, byte[] d, boolean add) {
        int carry = 0;
        for (int i = 31; i >= 0; i--) {
            int a = acc[i] & 0xff;
            int b = d[i] & 0xff;
            int r = add ? a + b + carry : a - b - carry;
            carry = add ? (r >> 8) : (r < 0 ? 1 : 0);
            acc[i] = (byte) r;
        }
    }

    Account account(PublicKey k) {
        return accounts.computeIfAbsent(k, x -> new Account());
    }

    Account existing(PublicKey k) {
        return accounts.get(k);
    }

    long balance(PublicKey k) {
        Account a = accounts.get(k);
        return a == null ? 0 : a.balance;
    }

    void recordHistory(byte tag, byte[]... parts) {
        MessageDigest md = Hashes.newSha256();
        md.update(historyDigest.bytes());
        md.update(tag);
        for (byte[] p : parts) md.update(p);
        historyDigest = new Hash32(md.digest());
    }

    long totalEscrow() {
        return escrowTotal;
    }

    long totalStake() {
        long s = 0;
        for (Account a : accounts.values()) s += a.stake;
        return s;
    }

    /** Conservation: balances + stakes + unbonding + escrow + burned = minted. Returns null if it holds, else why. */
    String conservationViolation() {
        long bal = 0, stake = 0, unb = 0;
        for (Account a : accounts.values()) {
            if (a.balance < 0 || a.stake < 0) return "negative balance or stake";
            bal = Math.addExact(bal, a.balance);
            stake = Math.addExact(stake, a.stake);
            unb = Math.addExact(unb, a.unbondingTotal());
        }
        long escrow = totalEscrow();
        long total = Math.addExact(Math.addExact(Math.addExact(Math.addExact(bal, stake), unb), escrow), burned);
        if (total != minted)
            return "conservation violated: balances " + bal + " + stakes " + stake + " + unbonding " + unb + " + escrow " + escrow
                    + " + burned " + burned + " = " + total + " != minted " + minted;
        return null;
    }

    /** Hash of the canonical state encoding (everything except the history maps, which enter via historyDigest). */
    Hash32 hash() {
        Enc e = new Enc(4096 + accounts.size() * 120);
        encodeCore(e);
        return Hashes.sha256(e.toBytes());
    }

    private void encodeCore(Enc e) {
        e.str("braid/state/v1").hash(genesis.hash());
        params.encode(e);
        e.i64(height).hash(lastBlockHash).i64(lastTimeMillis).i64(minted).i64(burned);
        TreeMap<PublicKey, Account> acc = new TreeMap<>(accounts);
        e.i32(acc.size());
        for (var en : acc.entrySet()) {
            Account a = en.getValue();
            e.key(en.getKey()).i64(a.balance).i64(a.lastNonce).i64(a.stake).i32(a.unbonding.size());
            for (long[] u : a.unbonding) e.i64(u[0]).i64(u[1]);
            e.i32(a.allowances.size());
            for (var al : a.allowances.entrySet()) e.key(al.getKey()).i64(al.getValue());
        }
        TreeMap<PublicKey, NodeInfo> ns = new TreeMap<>(nodes);
        e.i32(ns.size());
        for (var en : ns.entrySet()) e.key(en.getKey()).key(en.getValue().owner).i64(en.getValue().registeredHeight).bool(en.getValue().excluded);
        e.i32(holds.size()).i64(escrowTotal).raw(holdsAcc);
        TreeMap<Hash32, Proposal> ps = new TreeMap<>(proposals);
        e.i32(ps.size());
        for (var en : ps.entrySet()) {
            Proposal p = en.getValue();
            e.hash(en.getKey()).key(p.proposer).i32(p.changes.size());
            for (Body.ParamChange c : p.changes) e.str(c.name()).i64(c.value());
            e.i64(p.effectiveHeight).i64(p.endHeight).u8(p.status).i32(p.votes.size());
            for (var v : p.votes.entrySet()) e.key(v.getKey()).bool(v.getValue());
        }
        e.hash(historyDigest);
    }

    /**
     * Full snapshot encoding: the core plus the open holds and the history maps. The histories are written in map order
     * (not sorted): a snapshot is never hashed, and sorting hundreds of thousands of ids would stall the applier.
     */
    byte[] snapshot() {
        Enc e = new Enc(1 << 16);
        e.bytes(genesis.encode());
        encodeCore(e);
        e.i32(holds.size());
        for (var en : new TreeMap<>(holds).entrySet()) {
            HoldState h = en.getValue();
            e.hash(en.getKey()).key(h.payer).key(h.operator).i64(h.amount).i64(h.height);
        }
        e.i32(closedHolds.size());
        for (var en : closedHolds.entrySet()) e.hash(en.getKey()).i64(en.getValue().height).i64(en.getValue().charge);
        e.i32(idempotency.size());
        for (var en : idempotency.entrySet()) e.hash(en.getKey()).hash(en.getValue());
        e.i32(appliedTx.size());
        for (var en : appliedTx.entrySet()) e.hash(en.getKey()).i64(en.getValue()[0]).i64(en.getValue()[1]);
        return e.toBytes();
    }

    static LedgerState fromSnapshot(byte[] bytes) {
        Dec d = new Dec(bytes);
        Genesis g = Genesis.decode(d.bytes("genesis", 1 << 20));
        LedgerState s = new LedgerState(g);
        String tag = d.str("state tag", 32);
        if (!"braid/state/v1".equals(tag)) throw new MalformedException("not a braid state snapshot (tag '" + tag + "')");
        if (!d.hash("genesis hash").equals(g.hash())) throw new MalformedException("snapshot genesis hash mismatch");
        s.params = Params.decode(d);
        s.height = d.i64("height");
        s.lastBlockHash = d.hash("last block hash");
        s.lastTimeMillis = d.i64("time");
        s.minted = d.i64("minted");
        s.burned = d.i64("burned");
        int na = d.count("accounts", Integer.MAX_VALUE);
        for (int i = 0; i < na; i++) {
            Account a = new Account();
            PublicKey k = d.key("account");
            a.balance = d.i64("balance");
            a.lastNonce = d.i64("nonce");
            a.stake = d.i64("stake");
            int nu = d.count("unbonding", 1 << 20);
            for (int j = 0; j < nu; j++) a.unbonding.add(new long[] {d.i64("amount"), d.i64("release")});
            int nal = d.count("allowances", 1 << 20);
            for (int j = 0; j < nal; j++) a.allowances.put(d.key("operator"), d.i64("cap"));
            s.accounts.put(k, a);
        }
        int nn = d.count("nodes", Integer.MAX_VALUE);
        for (int i = 0; i < nn; i++) s.nodes.put(d.key("node"), new NodeInfo(d.key("owner"), d.i64("registered"), d.bool("excluded")));
        int nhCore = d.count("holds", Integer.MAX_VALUE);
        long escrowCore = d.i64("escrow");
        byte[] accCore = d.raw(32, "holds digest");
        int np = d.count("proposals", Integer.MAX_VALUE);
        for (int i = 0; i < np; i++) {
            Hash32 id = d.hash("proposal");
            PublicKey proposer = d.key("proposer");
            int nc = d.count("changes", 64);
            List<Body.ParamChange> cs = new ArrayList<>();
            for (int j = 0; j < nc; j++) cs.add(new Body.ParamChange(d.str("name", 64), d.i64("value")));
            Proposal p = new Proposal(proposer, cs, d.i64("effective"), d.i64("end"));
            p.status = d.u8("status");
            int nv = d.count("votes", Integer.MAX_VALUE);
            for (int j = 0; j < nv; j++) p.votes.put(d.key("voter"), d.bool("yes"));
            s.proposals.put(id, p);
        }
        s.historyDigest = d.hash("history digest");
        int nh = d.count("holds", Integer.MAX_VALUE);
        for (int i = 0; i < nh; i++) s.addHold(d.hash("hold"), new HoldState(d.key("payer"), d.key("operator"), d.i64("amount"), d.i64("height")));
        if (nh != nhCore || s.escrowTotal != escrowCore || !java.util.Arrays.equals(accCore, s.holdsAcc))
            throw new MalformedException("snapshot holds do not match their digest");
        int nc = d.count("closed holds", Integer.MAX_VALUE);
        for (int i = 0; i < nc; i++) s.closedHolds.put(d.hash("closed hold"), new ClosedHold(d.i64("h"), d.i64("charge")));
        int ni = d.count("idempotency", Integer.MAX_VALUE);
        for (int i = 0; i < ni; i++) s.idempotency.put(d.hash("idem"), d.hash("tx"));
        int nt = d.count("applied", Integer.MAX_VALUE);
        for (int i = 0; i < nt; i++) s.appliedTx.put(d.hash("tx"), new long[] {d.i64("h"), d.i64("i")});
        d.expectEnd("snapshot");
        return s;
    }

    /** Read-only summary of an account for queries. */
    AccountView view(PublicKey k) {
        Account a = accounts.get(k);
        Map<String, Long> allowances = new TreeMap<>();
        List<AccountView.Unbonding> unb = new ArrayList<>();
        if (a != null) {
            for (var e : a.allowances.entrySet()) allowances.put(e.getKey().hex(), e.getValue());
            for (long[] u : a.unbonding) unb.add(new AccountView.Unbonding(u[0], u[1]));
        }
        long escrow = 0;
        for (HoldState h : holds.values()) if (h.payer.equals(k)) escrow += h.amount;
        return new AccountView(k, a == null ? 0 : a.balance, a == null ? 0 : a.stake, escrow, unb,
                a == null ? 0 : a.lastNonce, allowances);
    }
}
