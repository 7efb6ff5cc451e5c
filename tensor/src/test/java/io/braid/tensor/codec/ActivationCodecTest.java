package io.braid.tensor.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationCodecTest {

    private static float[] random(int n, long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    @Test
    void fp32IsExactIncludingSignedZeroAndSubnormals() {
        float[] x = {0f, -0f, Float.MIN_VALUE, -1.5f, 3.4e38f, 1e-40f};
        byte[] enc = ActivationCodec.FP32.encode(x, 0, 2, 3);
        assertThat(enc).hasSize(24);
        float[] back = ActivationCodec.FP32.decode(enc, 2, 3);
        for (int i = 0; i < x.length; i++) assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(x[i]));
    }

    @Test
    void fp16RoundsToNearestHalf() {
        float[] x = random(3 * 64, 1, 4f);
        float[] back = ActivationCodec.FP16.decode(ActivationCodec.FP16.encode(x, 0, 3, 64), 3, 64);
        for (int i = 0; i < x.length; i++) {
            assertThat(back[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(x[i])));
            assertThat(Math.abs(back[i] - x[i])).isLessThanOrEqualTo(Math.abs(x[i]) * 0x1p-11f + 0x1p-24f);
        }
    }

    @Test
    void int8ErrorIsBoundedByHalfAStepPerBlockAndZerosStayZero() {
        int dim = 80; // two full blocks and a partial one
        float[] x = random(2 * dim, 2, 3f);
        Arrays.fill(x, dim, dim + 32, 0f); // an all-zero block: scale 0, decodes to exact zeros
        byte[] enc = ActivationCodec.INT8.encode(x, 0, 2, dim);
        assertThat((long) enc.length).isEqualTo(ActivationCodec.INT8.encodedBytes(2, dim)).isEqualTo(2 * (3 * 4 + 80));
        float[] back = ActivationCodec.INT8.decode(enc, 2, dim);
        for (int r = 0; r < 2; r++)
            for (int b = 0; b < dim; b += 32) {
                float amax = 0;
                for (int i = b; i < Math.min(dim, b + 32); i++) amax = Math.max(amax, Math.abs(x[r * dim + i]));
                for (int i = b; i < Math.min(dim, b + 32); i++)
                    assertThat(Math.abs(back[r * dim + i] - x[r * dim + i])).isLessThanOrEqualTo(amax / 127f * 0.5001f);
            }
        for (int i = dim; i < dim + 32; i++) assertThat(back[i]).isZero();
    }

    @Test
    void encodingIsRowWiseSoConcatenationEqualsBatchEncoding() {
        for (ActivationCodec c : new ActivationCodec[] {ActivationCodec.FP32, ActivationCodec.FP16, ActivationCodec.INT8}) {
            float[] x = random(5 * 48, 3, 2f);
            byte[] all = c.encode(x, 0, 5, 48);
            byte[] a = c.encode(x, 0, 2, 48);
            byte[] b = c.encode(x, 2 * 48, 3, 48);
            byte[] cat = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, cat, a.length, b.length);
            assertThat(cat).as(c.name()).isEqualTo(all);
        }
    }

    @Test
    void malformedInputIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> ActivationCodec.FP16.decode(new byte[7], 1, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("fp16 activations of 1 x 4 must be 8 bytes, got 7");
        byte[] nan = ActivationCodec.FP32.encode(new float[] {1f, Float.NaN}, 0, 1, 2);
        assertThatThrownBy(() -> ActivationCodec.FP32.decode(nan, 1, 2)).hasMessageContaining("non-finite value at index 1");
        byte[] badScale = ActivationCodec.INT8.encode(new float[] {1f, 2f}, 0, 1, 2);
        badScale[3] = (byte) 0xFF; // scale becomes NaN / negative
        assertThatThrownBy(() -> ActivationCodec.INT8.decode(badScale, 1, 2)).hasMessageContaining("block scale");
        assertThatThrownBy(() -> ActivationCodec.named("bf8")).hasMessageContaining("expected fp32, fp16 or int8");
        assertThat(ActivationCodec.named("FP16")).isSameAs(ActivationCodec.FP16);
    }
}
