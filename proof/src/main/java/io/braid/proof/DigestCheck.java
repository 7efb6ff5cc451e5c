package io.braid.proof;

/**
 * The tolerant comparator: checks a committed {@link ActivationDigest} against activations the verifier recomputed
 * from the same input. Per row it looks up the recomputed value at the committed index:
 * <ul>
 *   <li>relative error {@code |claimed − recomputed| / |recomputed|} of the row's largest entry (honest error is
 *       only the arithmetic drift of other reduction orders, ~1e-6);</li>
 *   <li>an index miss when a committed index is not (nearly) among the recomputed row's top-2 — a node cannot
 *       pick convenient positions.</li>
 * </ul>
 * Thresholds come from the calibration in docs/proof.md (ProofCalibrationTest measures both sides).
 */
public final class DigestCheck {

    /**
     * Pass limits. {@code indexSlack}: a committed index counts as a top-k member when its recomputed magnitude is at
     * least {@code (1 − indexSlack)} × the recomputed k-th largest magnitude (near-ties may flip between honest nodes).
     */
    public record Thresholds(double maxRelError, double meanRelError, double maxMissFraction, double indexSlack) {
        /**
         * Calibrated defaults (ProofCalibrationTest, docs/proof.md): honest nodes with other threads, batches and
         * FAST mode measured at most 2.5e-6 relative error (20x below the mean limit, 200x below the max limit);
         * the mildest cheater (every weight perturbed by 1%) measured at least 1.2e-4 mean, Q4_0 weights 1.3e-3.
         */
        public static final Thresholds DEFAULT = new Thresholds(5e-4, 5e-5, 0.05, 0.02);
    }

    /** The measured distance between a claim and a recomputation ({@code entries} = rows compared). */
    public record Distance(int entries, double maxRelError, double meanRelError, int indexMisses) {
        public double missFraction() {
            return entries == 0 ? 0 : (double) indexMisses / entries;
        }

        /** True when every limit of {@code t} holds. */
        public boolean passes(Thresholds t) {
            return maxRelError <= t.maxRelError() && meanRelError <= t.meanRelError() && missFraction() <= t.maxMissFraction();
        }
    }

    private DigestCheck() {
    }

    /** Distance of {@code digest} (of {@code rows} rows) from recomputed activations {@code x[off..]} [rows x dim]. */
    public static Distance distance(byte[] digest, float[] x, int off, int rows, int dim, double indexSlack) {
        ActivationDigest.Parsed p;
        try {
            p = ActivationDigest.parse(digest, rows, dim);
        } catch (IllegalArgumentException malformed) {
            // a malformed digest is as far as it gets
            return new Distance(rows, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, rows);
        }
        int[] top = new int[ActivationDigest.TOP_K];
        double sum = 0, max = 0;
        int misses = 0;
        for (int r = 0; r < rows; r++) {
            int base = off + r * dim;
            ActivationDigest.topK(x, base, dim, top);
            float kth = Math.abs(x[base + top[ActivationDigest.TOP_K - 1]]);
            float claimed = p.value(r);
            float actual = x[base + p.index(r, 0)];
            double err = relError(claimed, actual);
            sum += err;
            max = Math.max(max, err);
            boolean miss = false;
            for (int k = 0; k < ActivationDigest.TOP_K; k++) {
                if (!(Math.abs(x[base + p.index(r, k)]) >= (1 - indexSlack) * kth)) miss = true;
            }
            if (miss) misses++;
        }
        return new Distance(rows, max, rows == 0 ? 0 : sum / rows, misses);
    }

    private static double relError(float claimed, float actual) {
        if (!Float.isFinite(claimed) || !Float.isFinite(actual)) return Float.compare(claimed, actual) == 0 ? 0 : Double.POSITIVE_INFINITY;
        return Math.abs((double) claimed - actual) / Math.max(Math.abs(actual), Float.MIN_NORMAL);
    }

    /** True when {@code digest} is consistent with the recomputed activations under {@code t}. */
    public static boolean passes(byte[] digest, float[] x, int off, int rows, int dim, Thresholds t) {
        return distance(digest, x, off, rows, dim, t.indexSlack()).passes(t);
    }

    /**
     * Distance between two digests of the same task (to re-check a fraud proof without the activations): per row
     * the relative difference of the largest entry's values when both name the same index; a row counts as a miss
     * when the largest index differs or the second index of {@code a} is not among {@code b}'s two.
     */
    public static Distance digestDistance(byte[] a, byte[] b, int rows, int dim) {
        ActivationDigest.Parsed pa, pb;
        try {
            pa = ActivationDigest.parse(a, rows, dim);
            pb = ActivationDigest.parse(b, rows, dim);
        } catch (IllegalArgumentException malformed) {
            return new Distance(rows, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, rows);
        }
        double sum = 0, max = 0;
        int misses = 0, compared = 0;
        for (int r = 0; r < rows; r++) {
            if (pa.index(r, 0) != pb.index(r, 0)) {
                misses++;
                continue;
            }
            if (pa.index(r, 1) != pb.index(r, 1)) misses++;
            float x = pa.value(r), y = pb.value(r);
            double err = Float.isFinite(x) && Float.isFinite(y)
                    ? Math.abs((double) x - y) / Math.max(Math.max(Math.abs(x), Math.abs(y)), Float.MIN_NORMAL)
                    : (Float.compare(x, y) == 0 ? 0 : Double.POSITIVE_INFINITY);
            sum += err;
            max = Math.max(max, err);
            compared++;
        }
        return new Distance(rows, max, compared == 0 ? Double.POSITIVE_INFINITY : sum / compared, misses);
    }
}
