package io.braid.tensor.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Blockwise int8: each row is cut into blocks of {@value #BLOCK} values (the last one may be shorter);
 * a block is stored as its fp32 scale {@code d = max|x| / 127} followed by one signed byte per value,
 * {@code q = round(x / d)}; decoding gives {@code q * d}. Like GGML's Q8_0, with an fp32 scale.
 */
public final class Int8BlockCodec implements ActivationCodec {
    /** Values per block. */
    public static final int BLOCK = 32;

    Int8BlockCodec() {}

    @Override
    public String name() {
        return "int8";
    }

    @Override
    public long encodedBytes(int rows, int dim) {
        long blocks = (dim + BLOCK - 1) / BLOCK;
        return (long) rows * (blocks * 4 + dim);
    }

    @Override
    public byte[] encode(float[] x, int off, int rows, int dim) {
        long size = encodedBytes(rows, dim);
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("activation batch too large: " + size + " bytes");
        ByteBuffer bb = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            int rowOff = off + r * dim;
            for (int b = 0; b < dim; b += BLOCK) {
                int len = Math.min(BLOCK, dim - b);
                float amax = 0f;
                for (int i = 0; i < len; i++) amax = Math.max(amax, Math.abs(x[rowOff + b + i]));
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                bb.putFloat(d);
                for (int i = 0; i < len; i++) {
                    int q = Math.round(x[rowOff + b + i] * id);
                    bb.put((byte) Math.max(-127, Math.min(127, q)));
                }
            }
        }
        return bb.array();
    }

    @Override
    public void decode(byte[] data, int rows, int dim, float[] out, int outOff) {
        ActivationCodec.checkLength(this, data, rows, dim);
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int o = outOff;
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < dim; b += BLOCK) {
                int len = Math.min(BLOCK, dim - b);
                float d = bb.getFloat();
                if (!Float.isFinite(d) || d < 0)
                    throw new IllegalArgumentException("int8 activations: block scale " + d + " in row " + r + " is not a finite number >= 0");
                for (int i = 0; i < len; i++) out[o++] = bb.get() * d;
            }
        }
        ActivationCodec.checkFinite(this, out, outOff, rows * dim);
    }
}
