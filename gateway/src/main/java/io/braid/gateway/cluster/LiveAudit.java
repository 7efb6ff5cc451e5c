package io.braid.gateway.cluster;

import io.braid.crypto.Hash32;
import io.braid.crypto.Hashes;
import io.braid.crypto.PublicKey;
import io.braid.model.llama.KvCache;
import io.braid.model.llama.Span;
import io.braid.proof.ActivationDigest;
import io.braid.proof.AuditPolicy;
import io.braid.proof.Commitment;
import io.braid.proof.DigestCheck;
import io.braid.tensor.Compute;
import io.braid.tensor.codec.ActivationCodec;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proof of compute on live traffic, done by the gateway with its own copy of the model: a node's committed result is
 * selected for audit by {@link AuditPolicy} (every task until the node has a clean record, then the governed rate,
 * never below the floor), re-executed from the session's recorded inputs on the gateway's span, and compared
 * (bit for bit when both ran deterministically, else the calibrated digest check on the forwarded output). A failed
 * audit excludes the node from routing and is raised as an invalid reply, so the session fails over and replays like
 * after a node failure and the user gets the right tokens. This is the single-auditor path: slashing additionally
 * needs a second auditor and a {@link io.braid.proof.FraudProof} (see docs/proof.md).
 */
final class LiveAudit implements AutoCloseable {

    private final AuditPolicy policy;
    private final SecureRandom beacons = new SecureRandom(); // no ledger in the cluster: a fresh random beacon per task
    private final Map<PublicKey, AuditPolicy.NodeRecord> records = new ConcurrentHashMap<>();
    private final Set<PublicKey> excluded = ConcurrentHashMap.newKeySet();
    private final Map<Long, Span> spans = new ConcurrentHashMap<>();
    final AtomicLong audits = new AtomicLong();

    private final Compute compute; // its own pool: audits must not contend with the sessions' head computations

    LiveAudit(AuditPolicy policy, Compute.Mode mode) {
        this.policy = policy;
        this.compute = new Compute(1, mode);
    }

    @Override
    public void close() {
        compute.close();
    }

    AuditPolicy.NodeRecord record(PublicKey node) {
        return records.getOrDefault(node, AuditPolicy.NodeRecord.NEW);
    }

    boolean excluded(PublicKey node) {
        return excluded.contains(node);
    }

    /**
     * Audits the result {@code out} that {@code h} just returned for {@code rows} rows at {@code first}; {@code history}
     * are the encoded rows [0, first) the session sent into this boundary, {@code input} this step's encoded rows.
     */
    void check(Cluster.Served model, ActivationCodec codec, HopStream h, byte[] history, byte[] input,
               int first, int rows, byte[] out) throws HopFailure {
        PublicKey node = h.hop.node().key;
        if (excluded(node)) throw new HopFailure("node " + h.hop.node().id + " failed an earlier audit", false, false);
        Commitment c = h.lastCommitment();
        if (c == null) return;
        byte[] b = new byte[32];
        beacons.nextBytes(b);
        if (!policy.selects(new Hash32(b), c.id(), record(node))) return;
        audits.incrementAndGet();
        int dim = model.info().dim();
        int from = h.hop.from(), to = h.hop.to();
        Span span = spans.computeIfAbsent(((long) from << 32) | to, k -> model.model().span(from, to));
        KvCache cache = span.newCache(first + rows);
        if (first > 0) {
            float[] hx = new float[first * dim];
            codec.decode(history, first, dim, hx, 0);
            span.forward(compute, hx, first, positions(0, first), caches(cache, first));
        }
        float[] x = new float[rows * dim];
        codec.decode(input, rows, dim, x, 0);
        span.forward(compute, x, rows, positions(first, rows), caches(cache, rows));
        boolean ok;
        if (c.deterministic() && compute.mode() == Compute.Mode.DETERMINISTIC) {
            ok = Hashes.sha256(codec.encode(x, 0, rows, dim)).equals(c.outputHash());
        } else {
            float[] sent = new float[rows * dim];
            codec.decode(out, rows, dim, sent, 0);
            ok = DigestCheck.passes(ActivationDigest.of(sent, 0, rows, dim), x, 0, rows, dim, DigestCheck.Thresholds.DEFAULT)
                    && DigestCheck.passes(c.digest(), x, 0, rows, dim, DigestCheck.Thresholds.DEFAULT);
        }
        if (ok) {
            records.merge(node, AuditPolicy.NodeRecord.NEW.pass(), (a, n) -> a.pass());
            return;
        }
        records.merge(node, AuditPolicy.NodeRecord.NEW.fail(), (a, n) -> a.fail());
        excluded.add(node);
        throw new HopFailure("node " + h.hop.node().id + " failed an audit of layers [" + from + "," + to + ") positions "
                + first + "+" + rows + " (its result differs from the gateway's re-execution)", false, false);
    }

    private static int[] positions(int first, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = first + i;
        return p;
    }

    private static KvCache[] caches(KvCache c, int n) {
        KvCache[] a = new KvCache[n];
        java.util.Arrays.fill(a, c);
        return a;
    }
}
