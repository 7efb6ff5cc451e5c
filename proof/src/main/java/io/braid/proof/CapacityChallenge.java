package io.braid.proof;

import io.braid.tensor.Compute;
import io.braid.tensor.Matrix;
import io.braid.tensor.TensorType;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A capacity challenge checked with Freivalds' algorithm. The gateway sends a random seed and a size {@code n}
 * chosen so that {@code 2n³} FLOPs take the node {@link #targetSeconds} at its claimed FLOP/s; both sides expand the
 * seed into {@code A, B} (n×n, integers in [-8, 8]); the node returns {@code C = A·B} before the deadline.
 *
 * <p>All products are small integers, exact in float32 ({@code |c| ≤ 64n < 2²⁴}), so the check has no float
 * tolerance: the gateway converts C to longs (a non-integer entry fails), draws k random vectors r with entries in
 * [0, 2²⁰) and checks {@code A(Br) = Cr} exactly in long arithmetic ({@code |value| ≤ 64·n²·2²⁰ < 2⁶³} for
 * n ≤ 2¹⁶). O(k·n²) work; a wrong C passes one round with probability ≤ 2⁻²⁰.
 *
 * @param seed          expands into A and B
 * @param n             matrix size
 * @param claimedFlops  the node's claimed FLOP/s
 * @param deadline      time the node has from sending to receipt (compute at the claim × slack + allowance)
 */
public record CapacityChallenge(long seed, int n, double claimedFlops, Duration deadline) {

    /** Compute budget the challenge is sized to, at the claimed speed. */
    public static final double targetSeconds = 0.25;
    static final int MAX_N = 4096;

    public CapacityChallenge {
        if (n < 1 || n > MAX_N) throw new IllegalArgumentException("challenge size " + n + " outside [1, " + MAX_N + "]");
        if (!(claimedFlops > 0)) throw new IllegalArgumentException("claimed FLOP/s must be positive, got " + claimedFlops);
    }

    /**
     * A challenge for a node claiming {@code claimedFlops}: n so that 2n³ ≈ claim × 0.25 s, deadline = 3× the time at
     * the claim + {@code networkAllowance}.
     */
    public static CapacityChallenge forClaim(long seed, double claimedFlops, Duration networkAllowance) {
        int n = (int) Math.max(16, Math.min(MAX_N, Math.cbrt(claimedFlops * targetSeconds / 2)));
        double seconds = 2.0 * n * n * n / claimedFlops;
        Duration d = Duration.ofNanos((long) (3 * seconds * 1e9)).plus(networkAllowance);
        return new CapacityChallenge(seed, n, claimedFlops, d);
    }

    /** FLOPs of the multiply. */
    public long flops() {
        return 2L * n * n * n;
    }

    /** A, row-major n×n. */
    public float[] a() {
        return matrix(seed);
    }

    /** B, row-major n×n. */
    public float[] b() {
        return matrix(seed ^ 0x9E3779B97F4A7C15L);
    }

    private float[] matrix(long s) {
        SplittableRandom rnd = new SplittableRandom(s);
        float[] m = new float[n * n];
        for (int i = 0; i < m.length; i++) m[i] = rnd.nextInt(17) - 8;
        return m;
    }

    /**
     * The node's side: C = A·B with the node's own kernels (Compute.matmul computes W·x per row, so W = A and the
     * batch rows are the columns of B; the result is transposed back). Returns C row-major.
     */
    public float[] solve(Compute compute) {
        float[] a = a(), b = b();
        float[] bt = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) bt[j * n + i] = b[i * n + j];
        float[] ct = new float[n * n];
        try (Arena arena = Arena.ofShared()) {
            Matrix w = Matrix.quantize(TensorType.F32, a, n, n, arena);
            compute.matmul(w, bt, n, ct); // ct[j*n + i] = sum_k a[i][k] * b[k][j]
        }
        float[] c = new float[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) c[i * n + j] = ct[j * n + i];
        return c;
    }

    /** Outcome of a check. */
    public sealed interface Verdict {
        /** The product is right and arrived in time. */
        record Accepted(Duration elapsed) implements Verdict {}

        /** Refused with a one-line reason. */
        record Refused(String reason) implements Verdict {}
    }

    /** The gateway's side: Freivalds' check with {@code rounds} random vectors, then the deadline. */
    public Verdict check(float[] c, Duration elapsed, int rounds, long checkSeed) {
        if (c == null || c.length != n * n) {
            return new Verdict.Refused("capacity challenge: answer has " + (c == null ? 0 : c.length) + " entries, expected " + n * n);
        }
        long[] cl = new long[n * n];
        for (int i = 0; i < cl.length; i++) {
            float v = c[i];
            if (v != Math.rint(v) || Math.abs(v) > 64L * n) {
                return new Verdict.Refused("capacity challenge: entry " + i + " = " + v + " cannot be a product of the challenge matrices");
            }
            cl[i] = (long) v;
        }
        float[] a = a(), b = b();
        SplittableRandom rnd = new SplittableRandom(checkSeed);
        long[] r = new long[n], br = new long[n], abr = new long[n], cr = new long[n];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) r[i] = rnd.nextLong(1L << 20);
            mulVec(b, r, br);
            mulVec(a, br, abr);
            for (int i = 0; i < n; i++) {
                long s = 0;
                for (int j = 0; j < n; j++) s += cl[i * n + j] * r[j];
                cr[i] = s;
            }
            for (int i = 0; i < n; i++) {
                if (abr[i] != cr[i]) return new Verdict.Refused("capacity challenge: wrong product (Freivalds check failed at row " + i + ")");
            }
        }
        if (elapsed.compareTo(deadline) > 0) {
            return new Verdict.Refused("capacity challenge: answered in " + elapsed.toMillis() + " ms, beyond the "
                    + deadline.toMillis() + " ms deadline for the claimed " + String.format("%.3g", claimedFlops) + " FLOP/s");
        }
        return new Verdict.Accepted(elapsed);
    }

    private void mulVec(float[] m, long[] v, long[] out) {
        for (int i = 0; i < n; i++) {
            long s = 0;
            for (int j = 0; j < n; j++) s += (long) m[i * n + j] * v[j];
            out[i] = s;
        }
    }
}
