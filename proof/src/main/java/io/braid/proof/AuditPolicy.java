package io.braid.proof;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;

/**
 * Which committed tasks are audited. Selection is a pure function of a beacon — the hash of a ledger block made
 * AFTER the commitment was recorded — and the commitment's id, so the node cannot know at commit time whether it
 * will be audited, and anyone can re-check the selection.
 *
 * <p>The rate is the governed {@code auditRatePpm}, never below {@code floorPpm}: a node's record never lowers its
 * own rate (no BOINC-style decay that lets a node build trust and then cheat). A node without a clean record
 * ({@code cleanAuditsRequired} passed audits and none failed) has every task audited.
 *
 * @param ratePpm             governed audit rate, parts per million
 * @param floorPpm            lower bound on the effective rate (&gt; 0)
 * @param cleanAuditsRequired passed audits that make a record clean
 */
public record AuditPolicy(long ratePpm, long floorPpm, int cleanAuditsRequired) {

    /** Default floor: 0.5% of tasks. */
    public static final long DEFAULT_FLOOR_PPM = 5_000;
    /** Default: 20 clean audits end probation. */
    public static final int DEFAULT_CLEAN_AUDITS = 20;

    public AuditPolicy {
        if (floorPpm <= 0 || floorPpm > 1_000_000) throw new IllegalArgumentException("audit floor must be in (0, 1e6] ppm, got " + floorPpm);
        if (ratePpm < 0 || ratePpm > 1_000_000) throw new IllegalArgumentException("audit rate must be in [0, 1e6] ppm, got " + ratePpm);
        if (cleanAuditsRequired < 1) throw new IllegalArgumentException("cleanAuditsRequired must be >= 1");
    }

    /** The policy for a governed rate (ledger param {@code auditRatePpm}) with the default floor and probation. */
    public static AuditPolicy governed(long auditRatePpm) {
        return new AuditPolicy(auditRatePpm, DEFAULT_FLOOR_PPM, DEFAULT_CLEAN_AUDITS);
    }

    /** The effective rate in ppm: the governed rate, never below the floor. */
    public long effectivePpm() {
        return Math.max(ratePpm, floorPpm);
    }

    /** True when a record is clean: enough passed audits, none failed. */
    public boolean clean(NodeRecord record) {
        return record.failed() == 0 && record.passed() >= cleanAuditsRequired;
    }

    /** Whether the task with {@code commitmentId} is audited under {@code beacon} for a node with {@code record}. */
    public boolean selects(Hash32 beacon, Hash32 commitmentId, NodeRecord record) {
        if (!clean(record)) return true;
        return draw(beacon, commitmentId) < effectivePpm();
    }

    /** Uniform draw in [0, 1e6) from H("braid/audit/v1" ‖ beacon ‖ commitmentId). */
    public static long draw(Hash32 beacon, Hash32 commitmentId) {
        byte[] h = Hashes.sha256("braid/audit/v1".getBytes(java.nio.charset.StandardCharsets.UTF_8), beacon.bytes(), commitmentId.bytes()).bytes();
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xFF);
        return Long.remainderUnsigned(v, 1_000_000L);
    }

    /** A node's audit history. */
    public record NodeRecord(long passed, long failed) {
        public static final NodeRecord NEW = new NodeRecord(0, 0);

        public NodeRecord pass() {
            return new NodeRecord(passed + 1, failed);
        }

        public NodeRecord fail() {
            return new NodeRecord(passed, failed + 1);
        }
    }
}
