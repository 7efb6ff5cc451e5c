package io.braid.proof;

/**
 * The tolerant comparator: checks a committed {@link ActivationDigest} against activations the verifier recomputed
 * from the same input. For each committed entry it looks up the recomputed value at the committed index:
 * <ul>
 *   <li>relative error {@code |claimed − recomputed| / |recomputed|} (the claim is fp16, so honest error is at most
 *       half an fp16 ulp, 2⁻¹¹ ≈ 4.9e-4, plus the honest arithmetic drift);</li>
 *   <li>an index miss when the committed index is not (nearly) among the recomputed row's top-k — a node cannot
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
         * Calibrated defaults: honest nodes (other threads, batches, vector widths, FAST mode) measured at most
         * ~5e-4 max / ~2e-4 mean (fp16 rounding dominates); every cheating mode measured far above (see docs/proof.md).
         */
        public static final Thresholds DEFAULT = new Thresholds(1e-2, 2e-3, 0.05, 0.02);
    }

    /** The measured distance between a claim and a recomputation. */
    public record Distance(int entries, double maxRelError, double meanRelError, int indexMisses) {
        public double missFraction() {
            return entries == 0 ? 0 : (double) indexMisses / (entries / ActivationDigest.TOP_K);
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
            return new Distance(rows * ActivationDigest.TOP_K, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, rows);
        }
        int[] top = new int[ActivationDigest.TOP_K];
        double sum = 0, max = 0;
        int misses = 0, entries = 0;
        for (int r = 0; r < rows; r++) {
            int base = off + r * dim;
            ActivationDigest.topK(x, base, dim, top);
            float kth = Math.abs(x[base + top[ActivationDigest.TOP_K - 1]]);
            boolean miss = false;
            for (int k = 0; k < ActivationDigest.TOP_K; k++) {
                float claimed = p.value(r, k);
                float actual = x[base + p.index(r, k)];
                double err;
                if (Float.isNaN(claimed) || Float.isNaN(actual) || Float.isInfinite(claimed) || Float.isInfinite(actual)) {
                    err = claimed == actual ? 0 : Double.POSITIVE_INFINITY;
                } else {
                    double denom = Math.max(Math.abs(actual), Float.MIN_NORMAL);
                    err = Math.abs((double) claimed - actual) / denom;
                }
                sum += err;
                max = Math.max(max, err);
                entries++;
                if (!(Math.abs(actual) >= (1 - indexSlack) * kth)) miss = true;
            }
            if (miss) misses++;
        }
        return new Distance(entries, max, entries == 0 ? 0 : sum / entries, misses);
    }

    /** True when {@code digest} is consistent with the recomputed activations under {@code t}. */
    public static boolean passes(byte[] digest, float[] x, int off, int rows, int dim, Thresholds t) {
        return distance(digest, x, off, rows, dim, t.indexSlack()).passes(t);
    }

    /**
     * Distance between two digests of the same task (used to re-check a fraud proof without the activations): for
     * each entry of {@code a}, the value of {@code b} at the same index in the same row; an entry whose index
     * {@code b} does not list counts as a miss for its row.
     */
    public static Distance digestDistance(byte[] a, byte[] b, int rows, int dim) {
        ActivationDigest.Parsed pa, pb;
        try {
            pa = ActivationDigest.parse(a, rows, dim);
            pb = ActivationDigest.parse(b, rows, dim);
        } catch (IllegalArgumentException malformed) {
            return new Distance(rows * ActivationDigest.TOP_K, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, rows);
        }
        double sum = 0, max = 0;
        int misses = 0, entries = 0;
        for (int r = 0; r < rows; r++) {
            boolean miss = false;
            for (int k = 0; k < ActivationDigest.TOP_K; k++) {
                int i = pa.index(r, k);
                int m = -1;
                for (int q = 0; q < ActivationDigest.TOP_K; q++) if (pb.index(r, q) == i) m = q;
                if (m < 0) {
                    miss = true;
                    continue;
                }
                float x = pa.value(r, k), y = pb.value(r, m);
                double err = Float.isFinite(x) && Float.isFinite(y)
                        ? Math.abs((double) x - y) / Math.max(Math.max(Math.abs(x), Math.abs(y)), Float.MIN_NORMAL)
                        : (Float.compare(x, y) == 0 ? 0 : Double.POSITIVE_INFINITY);
                sum += err;
                max = Math.max(max, err);
                entries++;
            }
            if (miss) misses++;
        }
        int all = rows * ActivationDigest.TOP_K;
        return new Distance(all, max, entries == 0 ? Double.POSITIVE_INFINITY : sum / entries, misses);
    }
}
