package io.braid.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matmul kernels and their per-thread scratch space. Three paths, all giving every output in the order
 * {@link Reference} defines, whatever the batch, tile or thread split:
 * <ul>
 * <li>decode of Q8_0/Q4_0 (batch 1-3, 16-lane machines): {@link FusedKernels}, dequantizing in registers;
 * <li>the tiled path (16 FMA lanes per output): a thread's rows go in blocks of {@link #ROW_BLOCK} rows; the
 *     columns in chunks whose activations fit in L2 (usually whole rows). For each tile of 4 rows, the chunk
 *     is dequantized once into a float buffer (exact, so any vector width gives the same floats) and
 *     multiplied with the batch 4 x 4 at a time: each weight vector is reused from registers for 4
 *     activation rows and each activation vector for 4 weight rows. Partial sums live in {@code acc}
 *     between chunks, 16 lanes per output;
 * <li>deterministic float matrices: {@link #sequential}, run.c's order with lanes across rows.
 * </ul>
 *
 * <p>The vector species is a static constant so C2 can intrinsify it. It is the widest of 128/256/512 bits
 * the machine prefers, or the one named by the system property {@code braid.tensor.vectorBits} (tests use
 * it to run the narrower implementations in a child JVM and compare the bits).
 */
final class Kernels {
    static final int ROW_TILE = 4;
    static final int ROW_BLOCK = 32;
    /** Activation bytes per column chunk: sized to stay in a 1 MB L2 next to the weight tile. */
    static final int X_CHUNK_BYTES = 512 * 1024;
    static final VectorSpecies<Float> F = floatSpecies();
    static final int L = F.length();
    /** Bytes loaded per dequantization step: as many as float lanes, but at least 8 (no 32-bit byte vector). */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** Float vectors produced from one byte vector. */
    static final int PARTS = B.length() / L;
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int LANES = Reference.LANES;

    private final boolean deterministic;
    private float[] wbuf = new float[0];
    private float[] acc = new float[0];
    private final float[] lanes = new float[ROW_TILE * LANES];

    private final int xChunkBytes;

    /** {@code xChunkBytes} bounds the activation bytes of one column chunk (tests make it small). */
    Kernels(boolean deterministic, int xChunkBytes) {
        this.deterministic = deterministic;
        this.xChunkBytes = xChunkBytes;
    }

    private static VectorSpecies<Float> floatSpecies() {
        // Narrower than 128 bits (no SIMD): the 128-bit species still computes correctly, in Java code.
        int preferred = Math.clamp(FloatVector.SPECIES_PREFERRED.vectorBitSize(), 128, 512);
        int bits = Integer.getInteger("braid.tensor.vectorBits", preferred);
        return switch (bits) {
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("braid.tensor.vectorBits must be 128, 256 or 512, got " + bits);
        };
    }

    /** Computes rows {@code [from, to)} of {@code out = w * x^T} for all batch rows. */
    void matmul(Matrix w, float[] x, int xOff, int batch, float[] out, int outOff, int from, int to) {
        int rows = w.rows(), cols = w.cols();
        if (deterministic && Reference.isSequential(w.type())) {
            sequential(w, x, xOff, batch, out, outOff, from, to);
            return;
        }
        if (batch < 4 && L == LANES && (w instanceof Q8_0Matrix || w instanceof Q4_0Matrix)) {
            // Decode: one streaming pass over each 4-row tile, dequantizing in registers.
            int r = from;
            for (; r + ROW_TILE <= to; r += ROW_TILE) {
                for (int b = 0; b < batch; b++) {
                    if (w instanceof Q8_0Matrix) {
                        FusedKernels.q8_0Rows4(w.data(), r, cols, x, xOff + b * cols, lanes);
                    } else {
                        FusedKernels.q4_0Rows4(w.data(), r, cols, x, xOff + b * cols, lanes);
                    }
                    for (int t = 0; t < ROW_TILE; t++) {
                        out[outOff + b * rows + r + t] = deterministic ? reduce16(lanes, t * LANES) : reduceFast(lanes, t * LANES);
                    }
                }
            }
            from = r;
            if (from >= to) {
                return;
            }
        }
        // Whole rows while the activations fit in L2 (long sequential streams, accumulators stay in registers);
        // otherwise equal column chunks whose activations fit, reused from L2 by every row tile.
        int chunks = (int) Math.max(1, ((long) batch * cols * 4 + xChunkBytes - 1) / xChunkBytes);
        int kc = ((cols + chunks - 1) / chunks + 31) / 32 * 32;
        int full = cols / LANES * LANES;
        int accNeed = ROW_BLOCK * batch * LANES;
        if (acc.length < accNeed) {
            acc = new float[accNeed];
        }
        if (wbuf.length < ROW_TILE * kc) {
            wbuf = new float[ROW_TILE * kc];
        }
        for (int rb = from; rb < to; rb += ROW_BLOCK) {
            int rbEnd = Math.min(to, rb + ROW_BLOCK);
            java.util.Arrays.fill(acc, 0, ROW_BLOCK * batch * LANES, 0f);
            for (int k0 = 0; k0 < cols; k0 += kc) {
                int k1 = Math.min(cols, k0 + kc);
                int vEnd = Math.min(k1, full);
                for (int r0 = rb; r0 < rbEnd; r0 += ROW_TILE) {
                    int n = Math.min(ROW_TILE, rbEnd - r0);
                    for (int t = 0; t < ROW_TILE; t++) {
                        if (t < n) {
                            dequantize(w, r0 + t, k0, k1, wbuf, t * kc);
                        } else {
                            java.util.Arrays.fill(wbuf, t * kc, t * kc + (k1 - k0), 0f);
                        }
                    }
                    int tileAcc = (r0 - rb) * batch * LANES;
                    for (int pass = 0; pass * L < LANES; pass++) {
                        int start = k0 + pass * L;
                        int b = 0;
                        for (; b + 4 <= batch; b += 4) {
                            tile4x4(wbuf, -k0, kc, x, xOff + b * cols, cols, start, vEnd,
                                    acc, tileAcc + b * LANES + pass * L, batch * LANES);
                        }
                        for (; b < batch; b++) {
                            tile4x1(wbuf, -k0, kc, x, xOff + b * cols, start, vEnd,
                                    acc, tileAcc + b * LANES + pass * L, batch * LANES);
                        }
                    }
                    if (k1 > full) {
                        tail(wbuf, -k0, kc, x, xOff, cols, batch, Math.max(k0, full), k1, n, acc, tileAcc);
                    }
                }
            }
            for (int r = rb; r < rbEnd; r++) {
                for (int b = 0; b < batch; b++) {
                    int a = ((r - rb) * batch + b) * LANES;
                    out[outOff + b * rows + r] = deterministic ? reduce16(acc, a) : reduceFast(acc, a);
                }
            }
        }
    }

    /** Column chunk of the sequential kernel: L rows x SEQ_KC floats of weights stay in L2. */
    private static final int SEQ_KC = 4096;
    /** The sequential kernel's weight tile, transposed: column j of the L tile rows at {@code wt[j*L..]}. */
    private float[] wt = new float[0];

    /**
     * The run.c order for float matrices: each output is {@code s = s + w[j]*x[j]} (product rounded, then sum
     * rounded) for j ascending. That chain cannot be split along j, so vector lanes run across L rows
     * instead: a tile of L rows is dequantized and transposed into scratch, then each step loads column j of
     * the tile. Every lane computes one row's scalar chain, so the result is the same at any vector width.
     */
    private void sequential(Matrix w, float[] x, int xOff, int batch, float[] out, int outOff, int from, int to) {
        int rows = w.rows(), cols = w.cols();
        int kc = Math.min(cols, SEQ_KC);
        if (wbuf.length < kc) {
            wbuf = new float[kc];
        }
        if (wt.length < L * kc) {
            wt = new float[L * kc];
        }
        if (acc.length < batch * L) {
            acc = new float[batch * L];
        }
        for (int r0 = from; r0 < to; r0 += L) {
            int n = Math.min(L, to - r0);
            java.util.Arrays.fill(acc, 0, batch * L, 0f);
            for (int k0 = 0; k0 < cols; k0 += kc) {
                int k1 = Math.min(cols, k0 + kc);
                for (int t = 0; t < L; t++) {
                    if (t < n) {
                        dequantize(w, r0 + t, k0, k1, wbuf, 0);
                        for (int j = 0; j < k1 - k0; j++) {
                            wt[j * L + t] = wbuf[j];
                        }
                    } else {
                        for (int j = 0; j < k1 - k0; j++) {
                            wt[j * L + t] = 0f;
                        }
                    }
                }
                int b = 0;
                for (; b + 4 <= batch; b += 4) {
                    sequential4(wt, x, xOff + b * cols, cols, k0, k1, acc, b * L);
                }
                for (; b < batch; b++) {
                    sequential1(wt, x, xOff + b * cols, k0, k1, acc, b * L);
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < n; t++) {
                    out[outOff + b * rows + r0 + t] = acc[b * L + t];
                }
            }
        }
    }

    private static void sequential4(float[] wt, float[] x, int xBase, int cols, int k0, int k1, float[] acc, int a) {
        FloatVector s0 = FloatVector.fromArray(F, acc, a), s1 = FloatVector.fromArray(F, acc, a + L);
        FloatVector s2 = FloatVector.fromArray(F, acc, a + 2 * L), s3 = FloatVector.fromArray(F, acc, a + 3 * L);
        for (int j = k0; j < k1; j++) {
            FloatVector col = FloatVector.fromArray(F, wt, (j - k0) * L);
            s0 = s0.add(col.mul(x[xBase + j]));
            s1 = s1.add(col.mul(x[xBase + cols + j]));
            s2 = s2.add(col.mul(x[xBase + 2 * cols + j]));
            s3 = s3.add(col.mul(x[xBase + 3 * cols + j]));
        }
        s0.intoArray(acc, a);
        s1.intoArray(acc, a + L);
        s2.intoArray(acc, a + 2 * L);
        s3.intoArray(acc, a + 3 * L);
    }

    private static void sequential1(float[] wt, float[] x, int xBase, int k0, int k1, float[] acc, int a) {
        FloatVector s = FloatVector.fromArray(F, acc, a);
        for (int j = k0; j < k1; j++) {
            s = s.add(FloatVector.fromArray(F, wt, (j - k0) * L).mul(x[xBase + j]));
        }
        s.intoArray(acc, a);
    }

    /** Elements past the last full 16 go to lane {@code j % 16}, after all vector steps of that lane. */
    private void tail(float[] w, int wBase, int ws, float[] x, int xOff, int cols, int batch, int j0, int j1, int n,
                      float[] acc, int tileAcc) {
        for (int t = 0; t < n; t++) {
            for (int b = 0; b < batch; b++) {
                int a = tileAcc + (t * batch + b) * LANES;
                for (int j = j0; j < j1; j++) {
                    int l = a + j % LANES;
                    acc[l] = Math.fma(w[t * ws + wBase + j], x[xOff + b * cols + j], acc[l]);
                }
            }
        }
    }

    static float reduce16(float[] l, int o) {
        float h0 = l[o] + l[o + 8], h1 = l[o + 1] + l[o + 9], h2 = l[o + 2] + l[o + 10], h3 = l[o + 3] + l[o + 11];
        float h4 = l[o + 4] + l[o + 12], h5 = l[o + 5] + l[o + 13], h6 = l[o + 6] + l[o + 14], h7 = l[o + 7] + l[o + 15];
        float q0 = h0 + h4, q1 = h1 + h5, q2 = h2 + h6, q3 = h3 + h7;
        return (q0 + q2) + (q1 + q3);
    }

    /** Fast mode's reduction of 16 lanes: whatever order reduceLanes picks. */
    static float reduceFast(float[] l, int o) {
        FloatVector v = FloatVector.fromArray(F, l, o);
        for (int p = L; p < LANES; p += L) {
            v = v.add(FloatVector.fromArray(F, l, o + p));
        }
        return v.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Accumulates 4 weight rows x 4 activation rows over columns {@code start, start+16, ... < end}.
     * Weight row t, column j is {@code w[t*ws + wBase + j]}; activation row b is {@code x[xBase + b*cols + j]};
     * the accumulator of (t, b) is at {@code acc[a + t*accRow + b*16]}.
     */
    private static void tile4x4(float[] w, int wBase, int ws, float[] x, int xBase, int cols, int start, int end,
                                float[] acc, int a, int accRow) {
        final int w0 = wBase, w1 = wBase + ws, w2 = wBase + 2 * ws, w3 = wBase + 3 * ws;
        final int x0 = xBase, x1 = xBase + cols, x2 = xBase + 2 * cols, x3 = xBase + 3 * cols;
        final int r0 = a, r1 = a + accRow, r2 = a + 2 * accRow, r3 = a + 3 * accRow;
        FloatVector a00 = FloatVector.fromArray(F, acc, r0), a01 = FloatVector.fromArray(F, acc, r0 + 16);
        FloatVector a02 = FloatVector.fromArray(F, acc, r0 + 32), a03 = FloatVector.fromArray(F, acc, r0 + 48);
        FloatVector a10 = FloatVector.fromArray(F, acc, r1), a11 = FloatVector.fromArray(F, acc, r1 + 16);
        FloatVector a12 = FloatVector.fromArray(F, acc, r1 + 32), a13 = FloatVector.fromArray(F, acc, r1 + 48);
        FloatVector a20 = FloatVector.fromArray(F, acc, r2), a21 = FloatVector.fromArray(F, acc, r2 + 16);
        FloatVector a22 = FloatVector.fromArray(F, acc, r2 + 32), a23 = FloatVector.fromArray(F, acc, r2 + 48);
        FloatVector a30 = FloatVector.fromArray(F, acc, r3), a31 = FloatVector.fromArray(F, acc, r3 + 16);
        FloatVector a32 = FloatVector.fromArray(F, acc, r3 + 32), a33 = FloatVector.fromArray(F, acc, r3 + 48);
        for (int j = start; j < end; j += LANES) { // constant stride: C2 unrolls and drops range checks
            FloatVector v0 = FloatVector.fromArray(F, w, w0 + j);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + j);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + j);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + j);
            FloatVector u = FloatVector.fromArray(F, x, x0 + j);
            a00 = v0.fma(u, a00); a10 = v1.fma(u, a10); a20 = v2.fma(u, a20); a30 = v3.fma(u, a30);
            u = FloatVector.fromArray(F, x, x1 + j);
            a01 = v0.fma(u, a01); a11 = v1.fma(u, a11); a21 = v2.fma(u, a21); a31 = v3.fma(u, a31);
            u = FloatVector.fromArray(F, x, x2 + j);
            a02 = v0.fma(u, a02); a12 = v1.fma(u, a12); a22 = v2.fma(u, a22); a32 = v3.fma(u, a32);
            u = FloatVector.fromArray(F, x, x3 + j);
            a03 = v0.fma(u, a03); a13 = v1.fma(u, a13); a23 = v2.fma(u, a23); a33 = v3.fma(u, a33);
        }
        a00.intoArray(acc, r0); a01.intoArray(acc, r0 + 16); a02.intoArray(acc, r0 + 32); a03.intoArray(acc, r0 + 48);
        a10.intoArray(acc, r1); a11.intoArray(acc, r1 + 16); a12.intoArray(acc, r1 + 32); a13.intoArray(acc, r1 + 48);
        a20.intoArray(acc, r2); a21.intoArray(acc, r2 + 16); a22.intoArray(acc, r2 + 32); a23.intoArray(acc, r2 + 48);
        a30.intoArray(acc, r3); a31.intoArray(acc, r3 + 16); a32.intoArray(acc, r3 + 32); a33.intoArray(acc, r3 + 48);
    }

    /** Like {@link #tile4x4} for a single activation row (the decode path). */
    private static void tile4x1(float[] w, int wBase, int ws, float[] x, int xBase, int start, int end,
                                float[] acc, int a, int accRow) {
        final int w0 = wBase, w1 = wBase + ws, w2 = wBase + 2 * ws, w3 = wBase + 3 * ws;
        FloatVector a0 = FloatVector.fromArray(F, acc, a);
        FloatVector a1 = FloatVector.fromArray(F, acc, a + accRow);
        FloatVector a2 = FloatVector.fromArray(F, acc, a + 2 * accRow);
        FloatVector a3 = FloatVector.fromArray(F, acc, a + 3 * accRow);
        for (int j = start; j < end; j += LANES) { // constant stride: C2 unrolls and drops range checks
            FloatVector u = FloatVector.fromArray(F, x, xBase + j);
            a0 = FloatVector.fromArray(F, w, w0 + j).fma(u, a0);
            a1 = FloatVector.fromArray(F, w, w1 + j).fma(u, a1);
            a2 = FloatVector.fromArray(F, w, w2 + j).fma(u, a2);
            a3 = FloatVector.fromArray(F, w, w3 + j).fma(u, a3);
        }
        a0.intoArray(acc, a);
        a1.intoArray(acc, a + accRow);
        a2.intoArray(acc, a + 2 * accRow);
        a3.intoArray(acc, a + 3 * accRow);
    }

    /** Writes columns {@code [k0, k1)} of {@code row} as floats to {@code buf[off..]}: exact, like dequantizeRow. */
    static void dequantize(Matrix w, int row, int k0, int k1, float[] buf, int off) {
        switch (w) {
            case F32Matrix m -> MemorySegment.copy(m.data(), Matrix.LE_FLOAT, ((long) row * m.cols() + k0) * 4,
                    buf, off, k1 - k0);
            case F16Matrix m -> dequantizeF16(m.data(), ((long) row * m.cols() + k0) * 2, k1 - k0, buf, off);
            case BF16Matrix m -> dequantizeBF16(m.data(), ((long) row * m.cols() + k0) * 2, k1 - k0, buf, off);
            case Q8_0Matrix m -> dequantizeQ8_0(m.data(), ((long) row * m.cols() + k0) / 32 * 34, (k1 - k0) / 32, buf, off);
            case Q4_0Matrix m -> dequantizeQ4_0(m.data(), ((long) row * m.cols() + k0) / 32 * 18, (k1 - k0) / 32, buf, off);
        }
    }

    private static void dequantizeQ8_0(MemorySegment seg, long pos, int blocks, float[] buf, int off) {
        for (int blk = 0; blk < blocks; blk++, pos += 34, off += 32) {
            float d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, pos));
            for (int i = 0; i < 32; i += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, pos + 2 + i, LE);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(buf, off + i + p * L);
                }
            }
        }
    }

    private static void dequantizeQ4_0(MemorySegment seg, long pos, int blocks, float[] buf, int off) {
        for (int blk = 0; blk < blocks; blk++, pos += 18, off += 32) {
            float d = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, pos));
            for (int i = 0; i < 16; i += B.length()) {
                ByteVector q = ByteVector.fromMemorySegment(B, seg, pos + 2 + i, LE);
                for (int p = 0; p < PARTS; p++) {
                    // Nibbles are split in 32-bit lanes: byte-lane shifts compile poorly on x86.
                    IntVector qi = (IntVector) q.convertShape(VectorOperators.B2I, I, p);
                    ((FloatVector) qi.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(d).intoArray(buf, off + i + p * L);
                    ((FloatVector) qi.lanewise(VectorOperators.ASHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0))
                            .mul(d).intoArray(buf, off + 16 + i + p * L);
                }
            }
        }
    }

    /**
     * binary16 to float with integer ops: shifting the 15 magnitude bits into float position and scaling by
     * 2^112 is exact for normal and subnormal halves; infinities and NaNs get the float's all-ones exponent
     * (checked against Float.float16ToFloat for all 65536 patterns).
     */
    private static void dequantizeF16(MemorySegment seg, long pos, int n, float[] buf, int off) {
        int j = 0;
        for (; j + L <= n; j += L) {
            ShortVector h = ShortVector.fromMemorySegment(S, seg, pos + 2L * j, LE);
            IntVector bits = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).and(0xFFFF);
            IntVector mag = bits.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
            IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
            FloatVector f = mag.reinterpretAsFloats().mul(0x1p112f);
            VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7C00 << 13);
            VectorMask<Integer> nan = mag.compare(VectorOperators.GT, 0x7C00 << 13);
            // Like Float.float16ToFloat, NaNs keep their payload and become quiet.
            IntVector fb = f.reinterpretAsInts().blend(mag.or(0x7F800000), special).blend(mag.or(0x7FC00000), nan).or(sign);
            fb.reinterpretAsFloats().intoArray(buf, off + j);
        }
        for (; j < n; j++) {
            buf[off + j] = Float.float16ToFloat(seg.get(Matrix.LE_SHORT, pos + 2L * j));
        }
    }

    private static void dequantizeBF16(MemorySegment seg, long pos, int n, float[] buf, int off) {
        int j = 0;
        for (; j + L <= n; j += L) {
            ShortVector h = ShortVector.fromMemorySegment(S, seg, pos + 2L * j, LE);
            IntVector bits = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16);
            bits.reinterpretAsFloats().intoArray(buf, off + j);
        }
        for (; j < n; j++) {
            buf[off + j] = Quantizers.bf16ToFloat(seg.get(Matrix.LE_SHORT, pos + 2L * j));
        }
    }

    /** The deterministic dot product: run.c's sequential order (see {@link Reference#dot}). */
    static float dotDeterministic(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int j = 0; j < n; j++) {
            s += a[aOff + j] * b[bOff + j];
        }
        return s;
    }

    /** {@link #dotDeterministic} for {@code count} keys; 8 at a time as independent chains (same bits). */
    static void dotsDeterministic(float[] q, int qOff, float[] k, int kOff, int stride, int count, int n,
                                  float[] out, int outOff) {
        int t = 0;
        for (; t + 8 <= count; t += 8) {
            int b = kOff + t * stride;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
            for (int j = 0; j < n; j++) {
                float qj = q[qOff + j];
                int o = b + j;
                s0 += qj * k[o];
                s1 += qj * k[o + stride];
                s2 += qj * k[o + 2 * stride];
                s3 += qj * k[o + 3 * stride];
                s4 += qj * k[o + 4 * stride];
                s5 += qj * k[o + 5 * stride];
                s6 += qj * k[o + 6 * stride];
                s7 += qj * k[o + 7 * stride];
            }
            out[outOff + t] = s0;
            out[outOff + t + 1] = s1;
            out[outOff + t + 2] = s2;
            out[outOff + t + 3] = s3;
            out[outOff + t + 4] = s4;
            out[outOff + t + 5] = s5;
            out[outOff + t + 6] = s6;
            out[outOff + t + 7] = s7;
        }
        for (; t < count; t++) {
            out[outOff + t] = dotDeterministic(q, qOff, k, kOff + t * stride, n);
        }
    }

    /** The fast dot product: native width, unspecified lane order. */
    static float dotFast(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector s = FloatVector.zero(F);
        int j = 0;
        for (; j + L <= n; j += L) {
            s = FloatVector.fromArray(F, a, aOff + j).fma(FloatVector.fromArray(F, b, bOff + j), s);
        }
        float r = s.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            r = Math.fma(a[aOff + j], b[bOff + j], r);
        }
        return r;
    }

    /** {@code y = y + alpha * x} lanewise (product rounded, then sum): exact per element at any width. */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector.fromArray(F, y, yOff + j).add(va.mul(FloatVector.fromArray(F, x, xOff + j)))
                    .intoArray(y, yOff + j);
        }
        for (; j < n; j++) {
            y[yOff + j] += alpha * x[xOff + j];
        }
    }
}
