package io.braid.proof;

import io.braid.crypto.PublicKey;

/** Result of auditing one task. */
public sealed interface AuditOutcome {

    /** The first auditor agreed with the node. */
    record Passed(PublicKey node, PublicKey auditor) implements AuditOutcome {}

    /** Both auditors disagreed with the node and agree with each other: slashable, with the proof. */
    record Fraud(PublicKey node, FraudProof proof) implements AuditOutcome {}

    /** The first auditor disagreed, the second agreed with the node: the first auditor accused falsely. */
    record FalseAccusation(PublicKey node, PublicKey accuser, Commitment accusation) implements AuditOutcome {}

    /** Both disagreed with the node but not with each other's result — no verdict; the task is re-audited. */
    record Inconclusive(PublicKey node, String reason) implements AuditOutcome {}
}
