package io.braid.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode-path kernels for 16-lane (512-bit) machines: 4 quantized rows against one activation row,
 * dequantizing in registers so the weights stream from memory exactly once with no scratch traffic.
 * Each weight is {@code (float) q * d}, accumulated with FMA into lane {@code j % 16} in increasing j, so
 * the 16 lanes written to {@code lanes[t*16..]} are bit-identical to the general tiled path.
 */
final class FusedKernels {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final VectorSpecies<Integer> I = Kernels.I;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private FusedKernels() {
    }

    static void q8_0Rows4(MemorySegment seg, int r0, int cols, float[] x, int xOff, float[] lanes) {
        int blocks = cols / 32;
        long rowBytes = (long) blocks * 34;
        long p0 = r0 * rowBytes, p1 = p0 + rowBytes, p2 = p1 + rowBytes, p3 = p2 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        // The block body is written out per row: a helper is not always inlined by C2 ("callee is too
        // large" in some compiles), and a call boxes the vectors (several times slower).
        for (int blk = 0; blk < blocks; blk++, p0 += 34, p1 += 34, p2 += 34, p3 += 34) {
            int j = xOff + blk * 32;
            FloatVector x0 = FloatVector.fromArray(F, x, j);
            FloatVector x1 = FloatVector.fromArray(F, x, j + 16);
            float d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p0));
            a0 = q(seg, p0 + 18).mul(d).fma(x1, q(seg, p0 + 2).mul(d).fma(x0, a0));
            d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p1));
            a1 = q(seg, p1 + 18).mul(d).fma(x1, q(seg, p1 + 2).mul(d).fma(x0, a1));
            d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p2));
            a2 = q(seg, p2 + 18).mul(d).fma(x1, q(seg, p2 + 2).mul(d).fma(x0, a2));
            d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p3));
            a3 = q(seg, p3 + 18).mul(d).fma(x1, q(seg, p3 + 2).mul(d).fma(x0, a3));
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 16);
        a2.intoArray(lanes, 32);
        a3.intoArray(lanes, 48);
    }

    /** 16 quant bytes at {@code p} as floats (small enough to be always inlined). */
    private static FloatVector q(MemorySegment seg, long p) {
        return (FloatVector) ByteVector.fromMemorySegment(B16, seg, p, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    static void q4_0Rows4(MemorySegment seg, int r0, int cols, float[] x, int xOff, float[] lanes) {
        // Two rows per loop: four exceed C2's inlining node budget, which boxes the vectors (10x slower).
        q4_0Rows2(seg, r0, cols, x, xOff, lanes, 0);
        q4_0Rows2(seg, r0 + 2, cols, x, xOff, lanes, 32);
    }

    private static void q4_0Rows2(MemorySegment seg, int r0, int cols, float[] x, int xOff, float[] lanes, int lanesOff) {
        int blocks = cols / 32;
        long rowBytes = (long) blocks * 18;
        long p0 = r0 * rowBytes, p1 = p0 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int blk = 0; blk < blocks; blk++, p0 += 18, p1 += 18) {
            int j = xOff + blk * 32;
            FloatVector x0 = FloatVector.fromArray(F, x, j);
            FloatVector x1 = FloatVector.fromArray(F, x, j + 16);
            IntVector q = nibbles(seg, p0);
            float d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p0));
            a0 = hi(q).mul(d).fma(x1, lo(q).mul(d).fma(x0, a0));
            q = nibbles(seg, p1);
            d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, p1));
            a1 = hi(q).mul(d).fma(x1, lo(q).mul(d).fma(x0, a1));
        }
        a0.intoArray(lanes, lanesOff);
        a1.intoArray(lanes, lanesOff + 16);
    }

    /** The 16 quant bytes of the block at {@code p}, widened to 32-bit lanes (byte-lane shifts compile poorly). */
    private static IntVector nibbles(MemorySegment seg, long p) {
        return (IntVector) ByteVector.fromMemorySegment(B16, seg, p + 2, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector lo(IntVector q) {
        return (FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector hi(IntVector q) {
        return (FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0);
    }
}
