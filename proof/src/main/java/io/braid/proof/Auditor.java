package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.MerkleTree;
import io.braid.crypto.PublicKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The gateway's audit bookkeeping and escalation. Every recorded commitment goes into an append-only audit log (its
 * Merkle root can be anchored on the ledger); a beacon selects which to audit ({@link AuditPolicy}); an audited task
 * is re-executed by a first auditor, escalated to a second on mismatch, and turned into a {@link FraudProof} only when
 * both disagree with the node and agree with each other. Records (passed/failed), exclusions and false accusations
 * are kept here; {@code onFraud} submits the slash (e.g. {@code Billing.slash(node, reporter, proof.encode())}).
 */
public final class Auditor {

    private final AuditPolicy policy;
    private final DigestCheck.Thresholds thresholds;
    private final Consumer<AuditOutcome.Fraud> onFraud;
    private final Map<PublicKey, AuditPolicy.NodeRecord> records = new ConcurrentHashMap<>();
    private final Set<PublicKey> excluded = ConcurrentHashMap.newKeySet();
    private final Map<PublicKey, Long> falseAccusations = new ConcurrentHashMap<>();
    private final List<Hash32> log = new ArrayList<>();

    public Auditor(AuditPolicy policy, DigestCheck.Thresholds thresholds, Consumer<AuditOutcome.Fraud> onFraud) {
        this.policy = policy;
        this.thresholds = thresholds;
        this.onFraud = onFraud;
    }

    /** Appends a commitment to the audit log; returns its index. Rejects a commitment whose signature fails. */
    public synchronized long record(Commitment c) {
        if (!c.signatureValid()) throw new IllegalArgumentException("commitment from " + c.signer() + " has an invalid signature");
        log.add(c.id());
        return log.size() - 1;
    }

    /** Merkle root of the audit log so far (what the gateway anchors on the ledger). */
    public synchronized Hash32 logRoot() {
        return log.isEmpty() ? Hash32.ZERO : MerkleTree.rootOf(log);
    }

    /** Is this recorded commitment selected for audit under {@code beacon} (a block hash after it was recorded)? */
    public boolean selected(Hash32 beacon, Commitment c) {
        return policy.selects(beacon, c.id(), record(c.signer()));
    }

    /** A node's audit record. */
    public AuditPolicy.NodeRecord record(PublicKey node) {
        return records.getOrDefault(node, AuditPolicy.NodeRecord.NEW);
    }

    /** True while a node has no clean record: its tasks are shadowed on an established node. */
    public boolean onProbation(PublicKey node) {
        return !policy.clean(record(node));
    }

    /** True once a node was proven to cheat: the scheduler must not route to it. */
    public boolean excluded(PublicKey node) {
        return excluded.contains(node);
    }

    /** How often {@code auditor} accused a node falsely (penalised: it is no longer chosen as auditor). */
    public long falseAccusations(PublicKey auditor) {
        return falseAccusations.getOrDefault(auditor, 0L);
    }

    /** Audits {@code task}: first auditor, then the second on a mismatch. Updates records and exclusions. */
    public AuditOutcome audit(TaskRecord task, Reexecutor first, Reexecutor second) {
        Commitment claimed = task.commitment();
        PublicKey node = claimed.signer();
        if (first.id().equals(node) || second.id().equals(node) || first.id().equals(second.id())) {
            throw new IllegalArgumentException("the two auditors must be distinct from each other and from the audited node");
        }
        Reexecutor.Recomputation r1 = first.reexecute(task);
        if (Verdicts.agrees(claimed, r1.commitment(), r1.output(), thresholds)) {
            records.merge(node, AuditPolicy.NodeRecord.NEW.pass(), (a, b) -> a.pass());
            return new AuditOutcome.Passed(node, first.id());
        }
        Reexecutor.Recomputation r2 = second.reexecute(task);
        if (Verdicts.agrees(claimed, r2.commitment(), r2.output(), thresholds)) {
            falseAccusations.merge(first.id(), 1L, Long::sum);
            records.merge(node, AuditPolicy.NodeRecord.NEW.pass(), (a, b) -> a.pass());
            return new AuditOutcome.FalseAccusation(node, first.id(), r1.commitment());
        }
        FraudProof proof = new FraudProof(claimed, r1.commitment(), r2.commitment());
        Optional<String> problem = proof.problem(thresholds);
        if (problem.isPresent()) return new AuditOutcome.Inconclusive(node, problem.get());
        records.merge(node, AuditPolicy.NodeRecord.NEW.fail(), (a, b) -> a.fail());
        excluded.add(node);
        AuditOutcome.Fraud fraud = new AuditOutcome.Fraud(node, proof);
        onFraud.accept(fraud);
        return fraud;
    }

    /** The policy in force. */
    public AuditPolicy policy() {
        return policy;
    }
}
