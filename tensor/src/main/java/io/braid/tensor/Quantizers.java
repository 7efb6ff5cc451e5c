package io.braid.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** GGML's reference encoders (quantize_row_*_ref) and the bfloat16 conversions. */
final class Quantizers {
    private Quantizers() {
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round to nearest even like ggml_compute_fp32_to_bf16; NaNs stay quiet NaNs. */
    static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** C's roundf: halfway cases away from zero (Math.round would round -2.5 to -2). */
    static int roundf(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }

    /** Encodes {@code n} values from {@code src[srcOff..]} as type {@code t} into {@code dst} at {@code dstOff}. */
    static void encode(TensorType t, float[] src, int srcOff, MemorySegment dst, long dstOff, long n) {
        switch (t) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, Matrix.LE_FLOAT, dstOff, (int) n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(Matrix.LE_SHORT, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(Matrix.LE_SHORT, dstOff + 2L * i, floatToBf16(src[srcOff + i]));
                }
            }
            case Q8_0 -> {
                for (long blk = 0; blk < n / 32; blk++) {
                    encodeQ8_0(src, srcOff + (int) (blk * 32), dst, dstOff + blk * 34);
                }
            }
            case Q4_0 -> {
                for (long blk = 0; blk < n / 32; blk++) {
                    encodeQ4_0(src, srcOff + (int) (blk * 32), dst, dstOff + blk * 18);
                }
            }
        }
    }

    /** quantize_row_q8_0_ref: d = amax/127, q = roundf(x * (1/d)). */
    private static void encodeQ8_0(float[] x, int off, MemorySegment dst, long b) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[off + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Matrix.LE_SHORT, b, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) {
            dst.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) roundf(x[off + j] * id));
        }
    }

    /** quantize_row_q4_0_ref: d = (signed value of largest magnitude) / -8, q = min(15, trunc(x/d + 8.5)). */
    private static void encodeQ4_0(float[] x, int off, MemorySegment dst, long b) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Matrix.LE_SHORT, b, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (byte) (int) (x[off + j] * id + 8.5f));
            int hi = Math.min(15, (byte) (int) (x[off + 16 + j] * id + 8.5f));
            dst.set(ValueLayout.JAVA_BYTE, b + 2 + j, (byte) (lo | (hi << 4)));
        }
    }
}
