package io.braid.tensor.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Lossless fp32 activations. */
public final class Fp32Codec implements ActivationCodec {
    Fp32Codec() {}

    @Override
    public String name() {
        return "fp32";
    }

    @Override
    public long encodedBytes(int rows, int dim) {
        return 4L * rows * dim;
    }

    @Override
    public byte[] encode(float[] x, int off, int rows, int dim) {
        int n = Math.multiplyExact(rows, dim);
        byte[] out = new byte[Math.multiplyExact(n, 4)];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(x, off, n);
        return out;
    }

    @Override
    public void decode(byte[] data, int rows, int dim, float[] out, int outOff) {
        ActivationCodec.checkLength(this, data, rows, dim);
        int n = rows * dim;
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, outOff, n);
        ActivationCodec.checkFinite(this, out, outOff, n);
    }
}
