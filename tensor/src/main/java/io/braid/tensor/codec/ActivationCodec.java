package io.braid.tensor.codec;

import java.util.Locale;

/**
 * How a batch of activation rows ([rows x dim] floats, row-major) travels between gateway and nodes.
 * Every codec encodes row by row, so the encoding of rows A then B is the concatenation of their
 * encodings (the gateway replays a span's recorded inputs by concatenating them).
 * Byte order is little-endian throughout.
 */
public sealed interface ActivationCodec permits Fp32Codec, Fp16Codec, Int8BlockCodec {

    /** Exact: 4 bytes per value. */
    ActivationCodec FP32 = new Fp32Codec();
    /** IEEE half precision, round to nearest even: 2 bytes per value. */
    ActivationCodec FP16 = new Fp16Codec();
    /** Blockwise int8 with one fp32 scale per block of 32 values of a row (like Q8_0): 1.125 bytes per value. */
    ActivationCodec INT8 = new Int8BlockCodec();

    /** The codec's name: "fp32", "fp16" or "int8". */
    String name();

    /** Bytes the encoding of {@code rows} rows of {@code dim} values takes. */
    long encodedBytes(int rows, int dim);

    /** Encodes rows {@code [0, rows)} of x starting at {@code off}. */
    byte[] encode(float[] x, int off, int rows, int dim);

    /**
     * Decodes into {@code out[outOff ..]}.
     *
     * @throws IllegalArgumentException if {@code data} is not exactly {@link #encodedBytes}(rows, dim) long,
     *     or it decodes to a non-finite value (a malformed or hostile message)
     */
    void decode(byte[] data, int rows, int dim, float[] out, int outOff);

    /** Decodes into a new array of rows*dim floats. */
    default float[] decode(byte[] data, int rows, int dim) {
        float[] out = new float[Math.multiplyExact(rows, dim)];
        decode(data, rows, dim, out, 0);
        return out;
    }

    /** The codec with this name (case-insensitive), or an IllegalArgumentException listing the choices. */
    static ActivationCodec named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fp32", "f32" -> FP32;
            case "fp16", "f16" -> FP16;
            case "int8", "q8", "int8-block32" -> INT8;
            default -> throw new IllegalArgumentException("unknown activation codec '" + name + "' (expected fp32, fp16 or int8)");
        };
    }

    /** Shared length check with a message that names the problem. */
    static void checkLength(ActivationCodec codec, byte[] data, int rows, int dim) {
        if (rows < 0 || dim <= 0) throw new IllegalArgumentException("bad activation shape " + rows + " x " + dim);
        long expected = codec.encodedBytes(rows, dim);
        if (data.length != expected)
            throw new IllegalArgumentException(codec.name() + " activations of " + rows + " x " + dim + " must be "
                    + expected + " bytes, got " + data.length);
    }

    /** Rejects NaN/Inf: no honest span produces them, and they would poison a KV cache. */
    static void checkFinite(ActivationCodec codec, float[] out, int off, int n) {
        for (int i = off; i < off + n; i++)
            if (!Float.isFinite(out[i]))
                throw new IllegalArgumentException(codec.name() + " activations contain a non-finite value at index " + (i - off));
    }
}
