package io.braid.ledger;

import java.math.BigInteger;

/**
 * Integer money arithmetic (docs/ledger.md, "Rounding"). Amounts are micro-units (1e-6 of the stablecoin)
 * in a {@code long}; FLOPs are exact counts; prices are micro-units per TFLOP (1e12 FLOPs); fractions are
 * parts per million (ppm). There is no floating point in the ledger.
 */
public final class Amounts {
    /** FLOPs per TFLOP. */
    public static final long TFLOP = 1_000_000_000_000L;
    /** Parts per million = 100%. */
    public static final long PPM = 1_000_000L;

    private Amounts() {}

    /** floor(a × b / d) for non-negative a, b and positive d, exact (128-bit intermediate). */
    public static long mulDivFloor(long a, long b, long d) {
        check(a, b, d);
        long hi = Math.multiplyHigh(a, b);
        if (hi == 0 && a * b >= 0) return (a * b) / d;
        return toLong(BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(d)));
    }

    /** ceil(a × b / d) for non-negative a, b and positive d, exact. */
    public static long mulDivCeil(long a, long b, long d) {
        check(a, b, d);
        long hi = Math.multiplyHigh(a, b);
        if (hi == 0 && a * b >= 0) {
            long p = a * b;
            return p / d + (p % d == 0 ? 0 : 1);
        }
        BigInteger[] qr = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divideAndRemainder(BigInteger.valueOf(d));
        return toLong(qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE));
    }

    private static void check(long a, long b, long d) {
        if (a < 0 || b < 0) throw new IllegalArgumentException("amounts must be non-negative: " + a + ", " + b);
        if (d <= 0) throw new IllegalArgumentException("divisor must be positive: " + d);
    }

    private static long toLong(BigInteger v) {
        if (v.bitLength() > 63) throw new ArithmeticException("amount overflows a long: " + v);
        return v.longValue();
    }

    /** Price per TFLOP = ceil(cost × (1e6 + margin) / 1e6): the margin never rounds to less than stated. */
    public static long pricePerTflop(long costPerTflop, long marginPpm) {
        return mulDivCeil(costPerTflop, PPM + marginPpm, PPM);
    }

    /** What the user is charged for {@code flops}: ceil(flops × price / 1e12). */
    public static long charge(long flops, long pricePerTflop) {
        return mulDivCeil(flops, pricePerTflop, TFLOP);
    }

    /** A node's reward for {@code flops}: floor(flops × cost / 1e12). */
    public static long reward(long flops, long costPerTflop) {
        return mulDivFloor(flops, costPerTflop, TFLOP);
    }

    /** floor(amount × ppm / 1e6). */
    public static long ppmOf(long amount, long ppm) {
        return mulDivFloor(amount, ppm, PPM);
    }

    /**
     * The split of one request's bill: charge = Σ rewards + fee + burn exactly, where margin = charge − Σ rewards,
     * burn = floor(margin × burnShare / 1e6) and fee = margin − burn.
     */
    public record Split(long charge, long[] rewards, long fee, long burn) {}

    /** Splits the bill for per-node FLOPs at the given parameters. */
    public static Split split(long[] flops, long costPerTflop, long marginPpm, long burnSharePpm) {
        long price = pricePerTflop(costPerTflop, marginPpm);
        long totalFlops = 0;
        long[] rewards = new long[flops.length];
        long sumRewards = 0;
        for (int i = 0; i < flops.length; i++) {
            if (flops[i] < 0) throw new IllegalArgumentException("flops must be non-negative: " + flops[i]);
            totalFlops = Math.addExact(totalFlops, flops[i]);
            rewards[i] = reward(flops[i], costPerTflop);
            sumRewards = Math.addExact(sumRewards, rewards[i]);
        }
        long charge = charge(totalFlops, price);
        long margin = charge - sumRewards; // >= 0: price >= cost and ceil(Σ) >= Σ floor
        long burn = ppmOf(margin, burnSharePpm);
        return new Split(charge, rewards, margin - burn, burn);
    }
}
