package io.braid.protocol;

import com.google.protobuf.ByteString;
import io.braid.protocol.v1.Activations;
import io.braid.protocol.v1.Codec;
import io.braid.tensor.codec.ActivationCodec;
import io.braid.tensor.codec.Fp16Codec;
import io.braid.tensor.codec.Fp32Codec;
import io.braid.tensor.codec.Int8BlockCodec;

/** Maps activation codecs to their wire enum and packs/unpacks {@link Activations}. */
public final class WireCodecs {
    private WireCodecs() {}

    public static Codec toWire(ActivationCodec c) {
        return switch (c) {
            case Fp32Codec f -> Codec.FP32;
            case Fp16Codec f -> Codec.FP16;
            case Int8BlockCodec f -> Codec.INT8_BLOCK32;
        };
    }

    /** @throws IllegalArgumentException for an unset or unknown codec */
    public static ActivationCodec fromWire(Codec c) {
        return switch (c) {
            case FP32 -> ActivationCodec.FP32;
            case FP16 -> ActivationCodec.FP16;
            case INT8_BLOCK32 -> ActivationCodec.INT8;
            default -> throw new IllegalArgumentException("unknown activation codec on the wire: " + c);
        };
    }

    public static Activations pack(ActivationCodec c, float[] x, int off, int rows, int dim) {
        return Activations.newBuilder().setCodec(toWire(c)).setRows(rows).setDim(dim)
                .setData(ByteString.copyFrom(c.encode(x, off, rows, dim))).build();
    }

    /**
     * Decodes, checking the shape the receiver expects.
     *
     * @throws IllegalArgumentException naming the mismatch or the malformed content
     */
    public static float[] unpack(Activations a, int expectedRows, int expectedDim) {
        if (a.getRows() != expectedRows || a.getDim() != expectedDim)
            throw new IllegalArgumentException("activations are " + a.getRows() + " x " + a.getDim() + ", expected "
                    + expectedRows + " x " + expectedDim);
        return fromWire(a.getCodec()).decode(a.getData().toByteArray(), a.getRows(), a.getDim());
    }
}
