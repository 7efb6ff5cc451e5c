package io.braid.ledger;

import io.braid.crypto.Hash32;
import io.braid.crypto.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What a transaction does: the closed set of ledger operations. Each is authorised by the transaction's
 * signer (see {@link StateMachine} for who may sign what). Encoded as a one-byte tag and its fields.
 */
public sealed interface Body {
    int MAX_ITEMS = 1_000_000;

    /** Dev faucet / future bridge deposit: creates money. Signer must be a genesis minter. */
    record Mint(PublicKey to, long amount) implements Body {}

    /** Moves the signer's money to {@code to}. */
    record Transfer(PublicKey to, long amount) implements Body {}

    /**
     * The signer (a user) lets {@code operator} (a gateway) place escrow holds on its funds, up to {@code cap}
     * micro-units in total of holds not yet released; cap 0 revokes.
     */
    record Authorize(PublicKey operator, long cap) implements Body {}

    /** Escrow holds for requests, placed by the payer or by an operator it authorised. */
    record EscrowHold(List<Hold> holds) implements Body {
        public EscrowHold {
            holds = List.copyOf(holds);
        }
    }

    /** One hold: {@code holdId} is chosen by the operator (unique forever), {@code amount} the worst-case cost. */
    record Hold(Hash32 holdId, PublicKey payer, long amount) {}

    /** Settles holds: charge the FLOPs computed, reward nodes, fee and burn, release the rest. Signer = hold's creator. */
    record EscrowCharge(List<Settlement> settlements) implements Body {
        public EscrowCharge {
            settlements = List.copyOf(settlements);
        }
    }

    /** The FLOPs each node computed for one hold's request. */
    record Settlement(Hash32 holdId, List<NodeWork> work) {
        public Settlement {
            work = List.copyOf(work);
        }
    }

    /** FLOPs computed by one node (identified by its node key, registered to an owner account). */
    record NodeWork(PublicKey node, long flops) {}

    /** Releases holds without charging (request failed before any compute). Signer = hold's creator. */
    record EscrowRelease(List<Hash32> holdIds) implements Body {
        public EscrowRelease {
            holdIds = List.copyOf(holdIds);
        }
    }

    /** Destroys the signer's money. */
    record Burn(long amount) implements Body {}

    /** Moves the signer's balance into stake. */
    record Stake(long amount) implements Body {}

    /** Moves stake into unbonding; withdrawable after {@code unbondingBlocks}. */
    record Unstake(long amount) implements Body {}

    /** Moves every matured unbonding entry of the signer back to its balance. */
    record CompleteUnbonding() implements Body {}

    /**
     * Slashes the stake of {@code node}'s owner for proven fraud. Signer must be a genesis slasher (a gateway that
     * checked the evidence); the evidence bytes are kept on the ledger for anyone to re-check.
     */
    record Slash(PublicKey node, PublicKey reporter, byte[] evidence) implements Body {
        public Slash {
            evidence = evidence.clone();
        }

        @Override
        public byte[] evidence() {
            return evidence.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slash s && s.node.equals(node) && s.reporter.equals(reporter) && java.util.Arrays.equals(s.evidence, evidence);
        }

        @Override
        public int hashCode() {
            return node.hashCode() * 31 + java.util.Arrays.hashCode(evidence);
        }
    }

    /** A proposal to change parameters at {@code effectiveHeight} (no earlier than the end of voting + 1). */
    record GovProposal(List<ParamChange> changes, long effectiveHeight, String description) implements Body {
        public GovProposal {
            changes = List.copyOf(changes);
        }
    }

    /** One parameter change. */
    record ParamChange(String name, long value) {}

    /** A stake-weighted vote on a proposal (the signer's stake at the end of voting counts). */
    record Vote(Hash32 proposalId, boolean yes) implements Body {}

    /**
     * Binds {@code node} to the signer (its owner account). {@code nodeSignature} is the node key's signature over
     * {@link #registrationMessage(PublicKey, PublicKey)}, proving the owner controls the node key.
     */
    record NodeRegistration(PublicKey node, byte[] nodeSignature) implements Body {
        public NodeRegistration {
            nodeSignature = nodeSignature.clone();
        }

        @Override
        public byte[] nodeSignature() {
            return nodeSignature.clone();
        }

        /** The bytes a node key signs to consent to being registered to {@code owner}. */
        public static byte[] registrationMessage(PublicKey node, PublicKey owner) {
            return new Enc().str("braid/node-registration/v1").key(node).key(owner).toBytes();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NodeRegistration r && r.node.equals(node) && java.util.Arrays.equals(r.nodeSignature, nodeSignature);
        }

        @Override
        public int hashCode() {
            return node.hashCode();
        }
    }

    /** Short type name used in queries and error messages. */
    default String type() {
        return getClass().getSimpleName();
    }

    // ---- canonical encoding ----

    static void encode(Body b, Enc e) {
        switch (b) {
            case Mint m -> e.u8(1).key(m.to()).i64(m.amount());
            case Transfer t -> e.u8(2).key(t.to()).i64(t.amount());
            case Authorize a -> e.u8(3).key(a.operator()).i64(a.cap());
            case EscrowHold h -> {
                e.u8(4).i32(h.holds().size());
                for (Hold x : h.holds()) e.hash(x.holdId()).key(x.payer()).i64(x.amount());
            }
            case EscrowCharge c -> {
                e.u8(5).i32(c.settlements().size());
                for (Settlement s : c.settlements()) {
                    e.hash(s.holdId()).i32(s.work().size());
                    for (NodeWork w : s.work()) e.key(w.node()).i64(w.flops());
                }
            }
            case EscrowRelease r -> {
                e.u8(6).i32(r.holdIds().size());
                for (Hash32 h : r.holdIds()) e.hash(h);
            }
            case Burn x -> e.u8(7).i64(x.amount());
            case Stake x -> e.u8(8).i64(x.amount());
            case Unstake x -> e.u8(9).i64(x.amount());
            case CompleteUnbonding x -> e.u8(10);
            case Slash s -> e.u8(11).key(s.node()).key(s.reporter()).bytes(s.evidence);
            case GovProposal p -> {
                e.u8(12).i32(p.changes().size());
                for (ParamChange c : p.changes()) e.str(c.name()).i64(c.value());
                e.i64(p.effectiveHeight()).str(p.description());
            }
            case Vote v -> e.u8(13).hash(v.proposalId()).bool(v.yes());
            case NodeRegistration r -> e.u8(14).key(r.node()).bytes(r.nodeSignature);
        }
    }

    static Body decode(Dec d) {
        int tag = d.u8("body tag");
        return switch (tag) {
            case 1 -> new Mint(d.key("mint.to"), d.i64("mint.amount"));
            case 2 -> new Transfer(d.key("transfer.to"), d.i64("transfer.amount"));
            case 3 -> new Authorize(d.key("authorize.operator"), d.i64("authorize.cap"));
            case 4 -> {
                int n = d.count("hold count", MAX_ITEMS);
                List<Hold> hs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) hs.add(new Hold(d.hash("hold.id"), d.key("hold.payer"), d.i64("hold.amount")));
                yield new EscrowHold(hs);
            }
            case 5 -> {
                int n = d.count("settlement count", MAX_ITEMS);
                List<Settlement> ss = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Hash32 id = d.hash("settlement.holdId");
                    int m = d.count("node work count", 4096);
                    List<NodeWork> ws = new ArrayList<>(m);
                    for (int j = 0; j < m; j++) ws.add(new NodeWork(d.key("work.node"), d.i64("work.flops")));
                    ss.add(new Settlement(id, ws));
                }
                yield new EscrowCharge(ss);
            }
            case 6 -> {
                int n = d.count("release count", MAX_ITEMS);
                List<Hash32> ids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) ids.add(d.hash("release.holdId"));
                yield new EscrowRelease(ids);
            }
            case 7 -> new Burn(d.i64("burn.amount"));
            case 8 -> new Stake(d.i64("stake.amount"));
            case 9 -> new Unstake(d.i64("unstake.amount"));
            case 10 -> new CompleteUnbonding();
            case 11 -> new Slash(d.key("slash.node"), d.key("slash.reporter"), d.bytes("slash.evidence", 1 << 20));
            case 12 -> {
                int n = d.count("param change count", 64);
                List<ParamChange> cs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) cs.add(new ParamChange(d.str("param name", 64), d.i64("param value")));
                yield new GovProposal(cs, d.i64("proposal.effectiveHeight"), d.str("proposal.description", 4096));
            }
            case 13 -> new Vote(d.hash("vote.proposalId"), d.bool("vote.yes"));
            case 14 -> new NodeRegistration(d.key("registration.node"), d.bytes("registration.nodeSignature", 64));
            default -> throw new MalformedException("unknown transaction body tag " + tag + " (known 1..14)");
        };
    }
}
