package io.braid.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float {@code e^x} built only from IEEE operations Java specifies exactly (FMA, add, multiply, bit
 * casts, conversions), so the vector and scalar forms give the same bits on every machine (unlike
 * {@code Math.exp}), several times faster than {@code StrictMath.exp}. It works in double: reduction
 * {@code x = k ln2 + r}, |r| &le; ln2/2, then a degree-12 Taylor polynomial (relative error below 2e-16)
 * and a final rounding to float, so the result is the correctly rounded float except in vanishingly rare
 * near-ties: llama2.c models then stay within run.c's (expf) rounding, which a 2-ulp float exp did not.
 */
final class Exp {
    /** Half the float vector's width: its lanes widen to doubles of the full width. */
    static final VectorSpecies<Float> FH = VectorSpecies.of(float.class, VectorShape.forBitSize(Kernels.F.vectorBitSize() / 2));
    static final VectorSpecies<Double> D = VectorSpecies.of(double.class, Kernels.F.vectorShape());
    static final VectorSpecies<Long> J = VectorSpecies.of(long.class, Kernels.F.vectorShape());
    /** exp(-110) and exp(90) already round to 0 and infinity as floats; the clamp keeps 2^k a normal double. */
    private static final double LO = -110, HI = 90;
    private static final double LOG2E = 1.4426950408889634;
    /** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer, ties to even. */
    private static final double ROUND = 6755399441055744.0;
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1/n! for n = 12 down to 2. */
    private static final double[] C = {1 / 479001600.0, 1 / 39916800.0, 1 / 3628800.0, 1 / 362880.0, 1 / 40320.0,
            1 / 5040.0, 1 / 720.0, 1 / 120.0, 1 / 24.0, 1 / 6.0, 1 / 2.0};

    private Exp() {
    }

    static float exp(float xf) {
        double x = Math.min(Math.max(xf, LO), HI);
        double k = Math.fma(x, LOG2E, ROUND) - ROUND;
        double r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        double p = C[0];
        for (int i = 1; i < C.length; i++) {
            p = Math.fma(p, r, C[i]);
        }
        double y = Math.fma(Math.fma(p, r, 1.0), r, 1.0);
        return (float) (y * Double.longBitsToDouble(((long) k + 1023) << 52));
    }

    /** {@link #exp(float)} of the {@code FH.length()} floats at {@code src[off..]}, written to {@code dst[off..]}. */
    static void exp(float[] src, float[] dst, int off, float shift) {
        DoubleVector x = (DoubleVector) FloatVector.fromArray(FH, src, off).sub(shift).convertShape(VectorOperators.F2D, D, 0);
        x = x.max(LO).min(HI);
        DoubleVector k = x.fma(LOG2E, ROUND).sub(ROUND);
        DoubleVector r = k.fma(DoubleVector.broadcast(D, -LN2_HI), x);
        r = k.fma(DoubleVector.broadcast(D, -LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(D, C[0]);
        for (int i = 1; i < C.length; i++) {
            p = p.fma(r, DoubleVector.broadcast(D, C[i]));
        }
        DoubleVector y = p.fma(r, DoubleVector.broadcast(D, 1.0)).fma(r, DoubleVector.broadcast(D, 1.0));
        LongVector bits = ((LongVector) k.convert(VectorOperators.D2L, 0)).add(1023).lanewise(VectorOperators.LSHL, 52);
        ((FloatVector) y.mul(bits.reinterpretAsDoubles()).convertShape(VectorOperators.D2F, FH, 0)).intoArray(dst, off);
    }
}
