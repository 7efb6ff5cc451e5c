package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.Identity;
import io.braid.crypto.PublicKey;
import io.braid.crypto.Signatures;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The one deterministic ledger state machine. {@link #apply} turns a batch of transactions proposed at a time
 * into the next block; it reads no clock and no randomness, so every replica (and {@code braid ledger verify})
 * computes the same block header from the same inputs. Not thread-safe: one applier thread owns it.
 */
public final class StateMachine {
    /** How far ahead of the last used nonce a transaction's nonce may be (gaps let rejected transactions not block later ones). */
    public static final long MAX_NONCE_GAP = 1L << 20;

    private final LedgerState state;

    StateMachine(LedgerState state) {
        this.state = state;
    }

    /** A fresh state machine at genesis. */
    public static StateMachine genesis(Genesis g) {
        return new StateMachine(new LedgerState(g));
    }

    LedgerState state() {
        return state;
    }

    public long height() {
        return state.height;
    }

    public Hash32 lastBlockHash() {
        return state.lastBlockHash;
    }

    public Params params() {
        return state.params;
    }

    public Genesis genesis() {
        return state.genesis;
    }

    /** The outcome of applying a batch: the new block (null if no transaction applied) and every tx's result, in input order. */
    public record Applied(Block block, List<TxResult> results) {}

    /**
     * Applies the transactions (in order) as block {@code height()+1} at time max(proposedTime, last block time),
     * signed by {@code validator}. Transactions that fail are left out and reported as REJECTED/DUPLICATE;
     * if none applies, no block is made and the state is unchanged.
     *
     * @param alreadyVerified tx ids whose signatures this process has already checked (a pure cache; may be empty)
     */
    public Applied apply(long proposedTime, List<Transaction> txs, Identity validator, Predicate<Hash32> alreadyVerified) {
        int n = txs.size();
        Hash32[] ids = new Hash32[n];
        boolean[] sigOk = new boolean[n];
        // Signature checks are pure and independent: run them in parallel, then apply sequentially.
        IntStream.range(0, n).parallel().forEach(i -> {
            Transaction t = txs.get(i);
            ids[i] = t.id();
            sigOk[i] = alreadyVerified.test(ids[i]) || t.signatureValid();
        });
        long height = state.height + 1;
        List<TxResult> results = new ArrayList<>(n);
        List<Transaction> included = new ArrayList<>();
        Set<Hash32> inThisBlock = new HashSet<>();
        for (int i = 0; i < n; i++) {
            TxResult r = applyTx(txs.get(i), ids[i], sigOk[i], height, included.size(), inThisBlock);
            results.add(r);
            if (r.status() == TxResult.Status.APPLIED) {
                included.add(txs.get(i));
                inThisBlock.add(ids[i]);
            }
        }
        if (included.isEmpty()) return new Applied(null, results);
        List<Effect> blockEffects = endOfBlock(height);
        if (!blockEffects.isEmpty() && !results.isEmpty()) {
            // Governance effects belong to the block; attach them to its last applied transaction's result.
            for (int i = results.size() - 1; i >= 0; i--) {
                TxResult r = results.get(i);
                if (r.status() == TxResult.Status.APPLIED) {
                    List<Effect> all = new ArrayList<>(r.effects());
                    all.addAll(blockEffects);
                    results.set(i, new TxResult(r.txId(), r.status(), r.reason(), r.height(), r.index(), all));
                    break;
                }
            }
        }
        long time = Math.max(proposedTime, state.lastTimeMillis);
        BlockHeader header = finishBlock(height, time, included);
        return new Applied(Block.signed(header, included, validator), results);
    }

    private BlockHeader finishBlock(long height, long time, List<Transaction> included) {
        String violation = state.conservationViolation();
        if (violation != null) throw new IllegalStateException("ledger bug at height " + height + ": " + violation);
        state.height = height;
        state.lastTimeMillis = time;
        BlockHeader header = new BlockHeader(height, state.lastBlockHash, time, Block.txRoot(included), included.size(), state.hash());
        state.lastBlockHash = header.hash();
        return header;
    }

    /**
     * Replays a stored block (for {@code verify} and catch-up): returns null if it is valid on top of the current
     * state (and applies it), or a one-line reason naming what is wrong (the state is then unusable).
     */
    public String replay(Block b) {
        return replay(b, b.signatureValid(), null);
    }

    /**
     * As {@link #replay(Block)} with signature checks done by the caller (e.g. in parallel across blocks):
     * {@code blockSignatureOk} for the header signature and {@code txSignatureOk[i]} per transaction (null = check here).
     */
    String replay(Block b, boolean blockSignatureOk, boolean[] txSignatureOk) {
        BlockHeader h = b.header();
        if (h.height() != state.height + 1) return "height " + h.height() + " where " + (state.height + 1) + " was expected (a block is missing or out of order)";
        if (!h.prevHash().equals(state.lastBlockHash)) return "previous-hash link broken: header says " + h.prevHash() + ", previous block hash is " + state.lastBlockHash;
        if (!state.genesis.validators().contains(b.signer())) return "signed by " + b.signer() + ", which is not a genesis validator";
        if (!blockSignatureOk) return "validator signature invalid";
        if (h.timeMillis() < state.lastTimeMillis) return "time " + h.timeMillis() + " earlier than the previous block's " + state.lastTimeMillis;
        if (h.txCount() != b.txs().size()) return "header says " + h.txCount() + " transactions, block has " + b.txs().size();
        if (b.txs().isEmpty()) return "block has no transactions";
        Hash32 root = Block.txRoot(b.txs());
        if (!root.equals(h.txRoot())) return "Merkle root mismatch: transactions hash to " + root + ", header says " + h.txRoot() + " (altered, dropped or reordered transactions)";
        List<Transaction> txs = b.txs();
        Hash32[] ids = new Hash32[txs.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = txs.get(i).id();
        boolean[] sigOk = txSignatureOk;
        if (sigOk == null) {
            boolean[] ok = new boolean[txs.size()];
            IntStream.range(0, txs.size()).parallel().forEach(i -> ok[i] = txs.get(i).signatureValid());
            sigOk = ok;
        }
        Set<Hash32> inThisBlock = new HashSet<>();
        for (int i = 0; i < txs.size(); i++) {
            TxResult r = applyTx(txs.get(i), ids[i], sigOk[i], h.height(), i, inThisBlock);
            if (r.status() != TxResult.Status.APPLIED)
                return "transaction " + i + " (" + ids[i] + ", " + txs.get(i).body().type() + ") is invalid: " + r.reason();
            inThisBlock.add(ids[i]);
        }
        endOfBlock(h.height());
        String violation = state.conservationViolation();
        if (violation != null) return violation;
        state.height = h.height();
        state.lastTimeMillis = h.timeMillis();
        Hash32 sh = state.hash();
        if (!sh.equals(h.stateHash())) return "state hash mismatch: replay gives " + sh + ", header says " + h.stateHash();
        state.lastBlockHash = h.hash();
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Hash32 idemDigest(PublicKey signer, byte[] key) {
        return Hashes.sha256(signer.bytes(), key);
    }

    private TxResult applyTx(Transaction tx, Hash32 id, boolean sigOk, long height, int index, Set<Hash32> inThisBlock) {
        // Duplicates first: a retried submission resolves to the original, even if the retry is byte-identical.
        long[] prior = state.appliedTx.get(id);
        if (prior != null) return new TxResult(id, TxResult.Status.DUPLICATE, "already applied at height " + prior[0], prior[0], (int) prior[1], List.of());
        if (inThisBlock.contains(id)) return new TxResult(id, TxResult.Status.DUPLICATE, "already in this block", height, -1, List.of());
        byte[] idem = tx.idempotencyKey();
        Hash32 idemKey = idem.length == 0 ? null : idemDigest(tx.signer(), idem);
        if (idemKey != null) {
            Hash32 orig = state.idempotency.get(idemKey);
            if (orig != null) {
                long[] loc = state.appliedTx.get(orig);
                return new TxResult(orig, TxResult.Status.DUPLICATE, "idempotency key already used by " + orig, loc[0], (int) loc[1], List.of());
            }
        }
        if (!sigOk) return TxResult.rejected(id, "bad signature: not signed by " + tx.signer());
        LedgerState.Account signer = state.existing(tx.signer());
        long lastNonce = signer == null ? 0 : signer.lastNonce;
        if (tx.nonce() <= lastNonce) return TxResult.rejected(id, "stale nonce " + tx.nonce() + ": last used nonce of " + tx.signer() + " is " + lastNonce + " (replay?)");
        if (tx.nonce() > lastNonce + MAX_NONCE_GAP) return TxResult.rejected(id, "nonce " + tx.nonce() + " too far ahead: last used is " + lastNonce + ", at most " + MAX_NONCE_GAP + " ahead allowed");
        List<Effect> effects = new ArrayList<>();
        String err = execute(tx, id, height, effects);
        if (err != null) return TxResult.rejected(id, err);
        state.account(tx.signer()).lastNonce = tx.nonce();
        state.appliedTx.put(id, new long[] {height, index});
        state.recordHistory((byte) 1, id.bytes());
        if (idemKey != null) {
            state.idempotency.put(idemKey, id);
            state.recordHistory((byte) 2, idemKey.bytes());
        }
        return new TxResult(id, TxResult.Status.APPLIED, "", height, index, effects);
    }

    /** Validates then applies one body; returns null on success or the reason (state untouched). */
    private String execute(Transaction tx, Hash32 id, long height, List<Effect> effects) {
        PublicKey who = tx.signer();
        Params p = state.params;
        switch (tx.body()) {
            case Body.Mint m -> {
                if (!state.genesis.minters().contains(who)) return "signer " + who + " is not a minter";
                if (m.amount() <= 0) return "mint amount must be positive, got " + m.amount();
                long newMinted;
                try {
                    newMinted = Math.addExact(state.minted, m.amount());
                } catch (ArithmeticException e) {
                    return "mint overflows the total supply";
                }
                state.minted = newMinted;
                state.account(m.to()).balance += m.amount();
            }
            case Body.Transfer t -> {
                if (t.amount() <= 0) return "transfer amount must be positive, got " + t.amount();
                long bal = state.balance(who);
                if (bal < t.amount()) return "insufficient funds: balance " + bal + " < transfer " + t.amount();
                state.account(who).balance -= t.amount();
                state.account(t.to()).balance += t.amount();
            }
            case Body.Authorize a -> {
                if (a.cap() < 0) return "authorization cap must be >= 0, got " + a.cap();
                if (a.operator().equals(who)) return "an account cannot authorize itself";
                if (a.cap() == 0) state.account(who).allowances.remove(a.operator());
                else state.account(who).allowances.put(a.operator(), a.cap());
            }
            case Body.EscrowHold h -> {
                if (h.holds().isEmpty()) return "escrow hold with no holds";
                for (int i = 0; i < h.holds().size(); i++) {
                    Body.Hold x = h.holds().get(i);
                    String why = placeHold(who, x, height);
                    effects.add(why == null ? new Effect.HoldPlaced(x.holdId(), x.payer(), x.amount()) : new Effect.ItemSkipped(i, x.holdId(), why));
                }
            }
            case Body.EscrowCharge c -> {
                if (c.settlements().isEmpty()) return "escrow charge with no settlements";
                for (int i = 0; i < c.settlements().size(); i++) {
                    Body.Settlement s = c.settlements().get(i);
                    String why = settle(who, s, height, effects);
                    if (why != null) effects.add(new Effect.ItemSkipped(i, s.holdId(), why));
                }
            }
            case Body.EscrowRelease r -> {
                if (r.holdIds().isEmpty()) return "escrow release with no holds";
                for (int i = 0; i < r.holdIds().size(); i++) {
                    Hash32 hid = r.holdIds().get(i);
                    LedgerState.HoldState hs = state.holds.get(hid);
                    String why = hs == null ? closedReason(hid) : !hs.operator().equals(who) ? "hold was placed by " + hs.operator() + ", not the signer" : null;
                    if (why != null) {
                        effects.add(new Effect.ItemSkipped(i, hid, why));
                        continue;
                    }
                    closeHold(hid, hs, 0, height, -1);
                    effects.add(new Effect.Released(hid, hs.payer(), hs.amount()));
                }
            }
            case Body.Burn b -> {
                if (b.amount() <= 0) return "burn amount must be positive, got " + b.amount();
                long bal = state.balance(who);
                if (bal < b.amount()) return "insufficient funds: balance " + bal + " < burn " + b.amount();
                state.account(who).balance -= b.amount();
                state.burned += b.amount();
                effects.add(new Effect.Burned(b.amount(), "burn transaction"));
            }
            case Body.Stake s -> {
                if (s.amount() <= 0) return "stake amount must be positive, got " + s.amount();
                long bal = state.balance(who);
                if (bal < s.amount()) return "insufficient funds: balance " + bal + " < stake " + s.amount();
                LedgerState.Account a = state.account(who);
                a.balance -= s.amount();
                a.stake += s.amount();
            }
            case Body.Unstake u -> {
                LedgerState.Account a = state.existing(who);
                long st = a == null ? 0 : a.stake;
                if (u.amount() <= 0) return "unstake amount must be positive, got " + u.amount();
                if (st < u.amount()) return "insufficient stake: staked " + st + " < unstake " + u.amount();
                a.stake -= u.amount();
                a.unbonding.add(new long[] {u.amount(), height + p.unbondingBlocks()});
            }
            case Body.CompleteUnbonding c -> {
                LedgerState.Account a = state.existing(who);
                if (a == null || a.unbonding.isEmpty()) return "nothing is unbonding for " + who;
                long matured = 0;
                long next = Long.MAX_VALUE;
                for (long[] e : a.unbonding) if (e[1] <= height) matured += e[0]; else next = Math.min(next, e[1]);
                if (matured == 0) return "nothing has matured yet: next release at height " + next + " (now " + height + ")";
                a.unbonding.removeIf(e -> e[1] <= height);
                a.balance += matured;
                effects.add(new Effect.Unbonded(who, matured));
            }
            case Body.Slash s -> {
                if (!state.genesis.slashers().contains(who)) return "signer " + who + " is not allowed to slash (not a genesis slasher)";
                if (s.evidence().length == 0) return "slash without evidence";
                LedgerState.NodeInfo ni = state.nodes.get(s.node());
                if (ni == null) return "node " + s.node() + " is not registered";
                if (ni.excluded()) return "node " + s.node() + " is already slashed and excluded";
                LedgerState.Account owner = state.account(ni.owner());
                long amount = Amounts.ppmOf(owner.stake, p.slashFractionPpm());
                long toReporter = Amounts.ppmOf(amount, p.reporterSharePpm());
                owner.stake -= amount;
                state.account(s.reporter()).balance += toReporter;
                state.burned += amount - toReporter;
                state.nodes.put(s.node(), new LedgerState.NodeInfo(ni.owner(), ni.registeredHeight(), true));
                effects.add(new Effect.Slashed(s.node(), ni.owner(), amount, s.reporter(), toReporter, amount - toReporter));
            }
            case Body.GovProposal g -> {
                LedgerState.Account a = state.existing(who);
                if (a == null || a.stake <= 0) return "only staked accounts may propose; " + who + " has no stake";
                if (g.changes().isEmpty()) return "proposal changes nothing";
                Params trial = p;
                for (Body.ParamChange c : g.changes()) {
                    try {
                        trial = trial.with(c.name(), c.value());
                    } catch (IllegalArgumentException e) {
                        return "bad proposal: " + e.getMessage();
                    }
                }
                long end = height + p.votingPeriodBlocks();
                if (g.effectiveHeight() <= end) return "effective height " + g.effectiveHeight() + " must be after the voting period ends at height " + end;
                state.proposals.put(id, new LedgerState.Proposal(who, g.changes(), g.effectiveHeight(), end));
            }
            case Body.Vote v -> {
                LedgerState.Proposal pr = state.proposals.get(v.proposalId());
                if (pr == null) return "no proposal " + v.proposalId();
                if (pr.status != 0 || height > pr.endHeight) return "voting on proposal " + v.proposalId() + " closed at height " + pr.endHeight;
                LedgerState.Account a = state.existing(who);
                if (a == null || a.stake <= 0) return "only staked accounts may vote; " + who + " has no stake";
                pr.votes.put(who, v.yes());
            }
            case Body.NodeRegistration r -> {
                if (!Signatures.verify(r.node(), Body.NodeRegistration.registrationMessage(r.node(), who), r.nodeSignature()))
                    return "node signature invalid: the node key must sign its registration to owner " + who;
                LedgerState.NodeInfo ni = state.nodes.get(r.node());
                if (ni != null && ni.excluded()) return "node " + r.node() + " was slashed and is excluded";
                if (ni != null && !ni.owner().equals(who)) return "node " + r.node() + " is already registered to " + ni.owner();
                if (ni != null) return "node " + r.node() + " is already registered to the signer";
                state.nodes.put(r.node(), new LedgerState.NodeInfo(who, height, false));
            }
        }
        return null;
    }

    private String closedReason(Hash32 hid) {
        LedgerState.ClosedHold c = state.closedHolds.get(hid);
        if (c == null) return "no hold " + hid;
        return c.charge() < 0 ? "hold already released at height " + c.height() : "hold already settled at height " + c.height() + " (charge " + c.charge() + ")";
    }

    private String placeHold(PublicKey operator, Body.Hold x, long height) {
        if (x.amount() <= 0) return "hold amount must be positive, got " + x.amount();
        if (state.holds.containsKey(x.holdId()) || state.closedHolds.containsKey(x.holdId())) return "duplicate hold id " + x.holdId();
        LedgerState.Account payer = state.existing(x.payer());
        if (!x.payer().equals(operator)) {
            Long cap = payer == null ? null : payer.allowances.get(operator);
            if (cap == null) return "payer " + x.payer() + " has not authorized operator " + operator;
            if (cap < x.amount()) return "payer's authorization for operator has " + cap + " left, hold needs " + x.amount();
        }
        long bal = payer == null ? 0 : payer.balance;
        if (bal < x.amount()) return "insufficient funds: balance " + bal + " < hold " + x.amount();
        payer.balance -= x.amount();
        if (!x.payer().equals(operator)) payer.allowances.put(operator, payer.allowances.get(operator) - x.amount());
        state.addHold(x.holdId(), new LedgerState.HoldState(x.payer(), operator, x.amount(), height));
        return null;
    }

    /** Removes the hold, returns {@code amount - charged} to the payer (and to the operator's allowance). */
    private void closeHold(Hash32 hid, LedgerState.HoldState hs, long charged, long height, long recordCharge) {
        state.removeHold(hid);
        LedgerState.Account payer = state.account(hs.payer());
        long rest = hs.amount() - charged;
        payer.balance += rest;
        if (!hs.payer().equals(hs.operator())) {
            Long cap = payer.allowances.get(hs.operator());
            if (cap != null) payer.allowances.put(hs.operator(), cap + rest);
        }
        state.closedHolds.put(hid, new LedgerState.ClosedHold(height, recordCharge));
        state.recordHistory((byte) 3, hid.bytes());
    }

    private String settle(PublicKey who, Body.Settlement s, long height, List<Effect> effects) {
        LedgerState.HoldState hs = state.holds.get(s.holdId());
        if (hs == null) return closedReason(s.holdId());
        if (!hs.operator().equals(who)) return "hold was placed by " + hs.operator() + ", not the signer";
        Params p = state.params;
        // Work of excluded (slashed) nodes is neither charged nor rewarded: their unpaid rewards are withheld.
        List<Body.NodeWork> billable = new ArrayList<>();
        List<PublicKey> owners = new ArrayList<>();
        for (Body.NodeWork w : s.work()) {
            if (w.flops() < 0) return "negative FLOPs for node " + w.node();
            LedgerState.NodeInfo ni = state.nodes.get(w.node());
            if (ni == null) return "node " + w.node() + " is not registered";
            if (ni.excluded()) continue;
            billable.add(w);
            owners.add(ni.owner());
        }
        long[] flops = new long[billable.size()];
        long total = 0;
        for (int i = 0; i < flops.length; i++) {
            flops[i] = billable.get(i).flops();
            total += flops[i];
        }
        Amounts.Split split;
        try {
            split = Amounts.split(flops, p.costPerTflop(), p.marginPpm(), p.burnSharePpm());
        } catch (ArithmeticException e) {
            return "charge overflows: " + e.getMessage();
        }
        if (split.charge() > hs.amount()) return "charge " + split.charge() + " exceeds hold " + hs.amount();
        closeHold(s.holdId(), hs, split.charge(), height, split.charge());
        long price = p.pricePerTflop();
        effects.add(new Effect.Charged(s.holdId(), hs.payer(), total, price, split.charge(), hs.amount() - split.charge()));
        for (int i = 0; i < flops.length; i++) {
            state.account(owners.get(i)).balance += split.rewards()[i];
            effects.add(new Effect.NodeReward(s.holdId(), billable.get(i).node(), owners.get(i), flops[i], split.rewards()[i]));
        }
        state.account(state.genesis.treasury()).balance += split.fee();
        effects.add(new Effect.ProtocolFee(s.holdId(), split.fee()));
        state.burned += split.burn();
        effects.add(new Effect.Burned(split.burn(), "burn share of margin"));
        return null;
    }

    /** Governance at the end of each block: decide proposals whose voting ended, apply accepted changes due. */
    private List<Effect> endOfBlock(long height) {
        List<Effect> out = new ArrayList<>();
        List<Map.Entry<Hash32, LedgerState.Proposal>> ps = new ArrayList<>(state.proposals.entrySet());
        ps.sort(Map.Entry.comparingByKey());
        Map<PublicKey, Long> stakes = null;
        for (var e : ps) {
            LedgerState.Proposal pr = e.getValue();
            if (pr.status == 0 && height >= pr.endHeight) {
                if (stakes == null) {
                    stakes = new HashMap<>();
                    for (var a : state.accounts.entrySet()) if (a.getValue().stake > 0) stakes.put(a.getKey(), a.getValue().stake);
                }
                long yes = 0, no = 0, total = 0;
                for (long s : stakes.values()) total += s;
                for (var v : pr.votes.entrySet()) {
                    long w = stakes.getOrDefault(v.getKey(), 0L);
                    if (v.getValue()) yes += w; else no += w;
                }
                Params p = state.params;
                BigInteger m = BigInteger.valueOf(Amounts.PPM);
                boolean quorum = BigInteger.valueOf(yes + no).multiply(m).compareTo(BigInteger.valueOf(total).multiply(BigInteger.valueOf(p.quorumPpm()))) >= 0;
                boolean passes = yes + no > 0 && BigInteger.valueOf(yes).multiply(m).compareTo(BigInteger.valueOf(yes + no).multiply(BigInteger.valueOf(p.thresholdPpm()))) >= 0;
                pr.status = quorum && passes ? 1 : 2;
                out.add(new Effect.ProposalDecided(e.getKey(), pr.status == 1, yes, no, total));
            }
            if (pr.status == 1 && height >= pr.effectiveHeight) {
                for (Body.ParamChange c : pr.changes) {
                    long old = state.params.get(c.name());
                    try {
                        state.params = state.params.with(c.name(), c.value());
                        out.add(new Effect.ParamChanged(e.getKey(), c.name(), old, c.value()));
                    } catch (IllegalArgumentException ex) {
                        // validated at proposal time; parameters' ranges are fixed, so this cannot happen
                        throw new IllegalStateException(ex);
                    }
                }
                pr.status = 3;
            }
        }
        // Matured unbonding needs an explicit CompleteUnbonding; nothing else is time-driven.
        return out;
    }

    // ---- read-only queries (call on the owning thread or under the owner's lock) ----

    public AccountView account(PublicKey k) {
        return state.view(k);
    }

    /** Ids of the open escrow holds placed by {@code operator} (sorted, so callers act in a deterministic order). */
    public List<Hash32> openHolds(PublicKey operator) {
        return state.holds.entrySet().stream().filter(e -> e.getValue().operator().equals(operator))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The owner of a node, or null if unregistered. */
    public PublicKey nodeOwner(PublicKey node) {
        LedgerState.NodeInfo ni = state.nodes.get(node);
        return ni == null ? null : ni.owner();
    }

    /** Registered, not excluded, and its owner's stake is at least the minimum. */
    public boolean isEligible(PublicKey node) {
        LedgerState.NodeInfo ni = state.nodes.get(node);
        if (ni == null || ni.excluded()) return false;
        LedgerState.Account a = state.existing(ni.owner());
        return a != null && a.stake >= state.params.minStake();
    }

    public boolean isExcluded(PublicKey node) {
        LedgerState.NodeInfo ni = state.nodes.get(node);
        return ni != null && ni.excluded();
    }

    public Hash32 stateHash() {
        return state.hash();
    }

    public long minted() {
        return state.minted;
    }

    public long burned() {
        return state.burned;
    }

    /** Null if the conservation invariant holds, else the violation. */
    public String conservationViolation() {
        return state.conservationViolation();
    }

    /** Proposals with their tallies so far. */
    public List<ProposalView> proposals() {
        List<ProposalView> out = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(state.proposals).entrySet()) {
            LedgerState.Proposal p = e.getValue();
            long yes = 0, no = 0;
            for (var v : p.votes.entrySet()) {
                LedgerState.Account a = state.existing(v.getKey());
                long w = a == null ? 0 : a.stake;
                if (v.getValue()) yes += w; else no += w;
            }
            String status = switch (p.status) {
                case 0 -> "open";
                case 1 -> "accepted";
                case 2 -> "rejected";
                default -> "applied";
            };
            out.add(new ProposalView(e.getKey(), p.proposer, p.changes, p.effectiveHeight, p.endHeight, status, yes, no));
        }
        return out;
    }

    /** A governance proposal for queries ({@code yesStake/noStake} are current weights). */
    public record ProposalView(Hash32 id, PublicKey proposer, List<Body.ParamChange> changes, long effectiveHeight,
                               long endHeight, String status, long yesStake, long noStake) {}

    byte[] snapshot() {
        return state.snapshot();
    }

    static StateMachine fromSnapshot(byte[] bytes) {
        return new StateMachine(LedgerState.fromSnapshot(bytes));
    }
}
