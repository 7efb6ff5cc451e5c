package io.braid.proof;

/**
 * The two comparators. Exact: when both sides ran in deterministic mode their output bytes must be identical (the
 * tensor kernels guarantee bit-identical results across threads, batches and vector widths). Tolerant: otherwise the
 * committed digest must match the recomputed activations within {@link DigestCheck.Thresholds}.
 */
public final class Verdicts {

    private Verdicts() {
    }

    /** Does {@code claimed} agree with an auditor that recomputed {@code output} [rows x width] and committed {@code mine}? */
    public static boolean agrees(Commitment claimed, Commitment mine, float[] output, DigestCheck.Thresholds t) {
        if (!claimed.sameTask(mine)) return false;
        if (claimed.deterministic() && mine.deterministic()) return claimed.outputHash().equals(mine.outputHash());
        return DigestCheck.passes(claimed.digest(), output, 0, claimed.rows(), claimed.width(), t);
    }

    /** Do two commitments of the same task agree, judged from their commitments alone (for fraud-proof checks)? */
    public static boolean agree(Commitment a, Commitment b, DigestCheck.Thresholds t) {
        if (!a.sameTask(b)) return false;
        if (a.deterministic() && b.deterministic()) return a.outputHash().equals(b.outputHash());
        return DigestCheck.digestDistance(a.digest(), b.digest(), a.rows(), a.width()).passes(t);
    }
}
