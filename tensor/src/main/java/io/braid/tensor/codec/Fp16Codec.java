package io.braid.tensor.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/** IEEE 754 half-precision activations (round to nearest even; values beyond ±65504 become ±Inf and are rejected on decode). */
public final class Fp16Codec implements ActivationCodec {
    Fp16Codec() {}

    @Override
    public String name() {
        return "fp16";
    }

    @Override
    public long encodedBytes(int rows, int dim) {
        return 2L * rows * dim;
    }

    @Override
    public byte[] encode(float[] x, int off, int rows, int dim) {
        int n = Math.multiplyExact(rows, dim);
        byte[] out = new byte[Math.multiplyExact(n, 2)];
        ShortBuffer sb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int i = 0; i < n; i++) sb.put(i, Float.floatToFloat16(x[off + i]));
        return out;
    }

    @Override
    public void decode(byte[] data, int rows, int dim, float[] out, int outOff) {
        ActivationCodec.checkLength(this, data, rows, dim);
        int n = rows * dim;
        ShortBuffer sb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        for (int i = 0; i < n; i++) out[outOff + i] = Float.float16ToFloat(sb.get(i));
        ActivationCodec.checkFinite(this, out, outOff, n);
    }
}
