package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatrixTest {
    private final Arena arena = Arena.ofAuto();

    @Test
    void q8_0BlockLayoutIsGgmls() {
        float[] v = new float[32];
        for (int i = 0; i < 32; i++) {
            v[i] = (i - 16) * 0.5f; // amax 8 -> d = 8/127
        }
        Matrix m = Matrix.quantize(TensorType.Q8_0, v, 1, 32, arena);
        MemorySegment s = m.data();
        assertThat(s.byteSize()).isEqualTo(34);
        float d = 8f / 127f;
        assertThat(s.get(Matrix.LE_SHORT, 0)).isEqualTo(Float.floatToFloat16(d));
        assertThat(s.get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) -127); // -8 / d
        assertThat(s.get(ValueLayout.JAVA_BYTE, 2 + 17)).isEqualTo((byte) Quantizers.roundf(0.5f * (1f / d)));
        assertThat(m.get(0, 0)).isEqualTo(-127 * Float.float16ToFloat(Float.floatToFloat16(d)));
    }

    @Test
    void q4_0NibbleOrderLowFirst() {
        MemorySegment s = arena.allocate(18);
        s.set(Matrix.LE_SHORT, 0, Float.floatToFloat16(2f));
        for (int i = 0; i < 16; i++) {
            s.set(ValueLayout.JAVA_BYTE, 2 + i, (byte) ((i & 0xF) | ((15 - i) << 4)));
        }
        Matrix m = Matrix.of(TensorType.Q4_0, s, 1, 32);
        float[] row = new float[32];
        m.dequantizeRow(0, row, 0);
        for (int i = 0; i < 16; i++) {
            assertThat(row[i]).isEqualTo((i - 8) * 2f);
            assertThat(row[16 + i]).isEqualTo((15 - i - 8) * 2f);
            assertThat(m.get(0, i)).isEqualTo(row[i]);
            assertThat(m.get(0, 16 + i)).isEqualTo(row[16 + i]);
        }
    }

    @Test
    void q4_0QuantizerMatchesGgmlReference() {
        float[] v = new float[32];
        for (int i = 0; i < 32; i++) {
            v[i] = i - 10; // largest magnitude 21 (positive) -> d = 21 / -8
        }
        Matrix m = Matrix.quantize(TensorType.Q4_0, v, 1, 32, arena);
        float d = 21f / -8f;
        assertThat(m.data().get(Matrix.LE_SHORT, 0)).isEqualTo(Float.floatToFloat16(d));
        float id = 1f / d;
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (v[j] * id + 8.5f));
            int hi = Math.min(15, (int) (v[16 + j] * id + 8.5f));
            assertThat(m.data().get(ValueLayout.JAVA_BYTE, 2 + j)).isEqualTo((byte) (lo | hi << 4));
        }
    }

    @Test
    void quantizationErrorIsBoundedByHalfAStep() {
        Random rnd = new Random(1);
        float[] v = new float[4 * 64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        for (TensorType t : TensorType.values()) {
            Matrix m = Matrix.quantize(t, v, 4, 64, arena);
            float[] row = new float[64];
            for (int r = 0; r < 4; r++) {
                m.dequantizeRow(r, row, 0);
                for (int c = 0; c < 64; c++) {
                    float x = v[r * 64 + c];
                    double tol = switch (t) {
                        case F32 -> 0;
                        case F16 -> Math.abs(x) * 1e-3;
                        case BF16 -> Math.abs(x) * 4e-3;
                        case Q8_0 -> blockMax(v, r * 64 + c) / 127 * 0.51 + Math.abs(x) * 1e-3; // + fp16 scale rounding
                        case Q4_0 -> blockMax(v, r * 64 + c) / 8 * 1.01 + Math.abs(x) * 1e-3; // -max clamps to 7d
                    };
                    assertThat((double) row[c]).as("%s [%d,%d]", t, r, c).isCloseTo(x, org.assertj.core.data.Offset.offset(tol + 1e-6));
                    assertThat(m.get(r, c)).isEqualTo(row[c]);
                }
            }
        }
    }

    private static double blockMax(float[] v, int i) {
        int s = i / 32 * 32;
        double m = 0;
        for (int j = s; j < s + 32; j++) {
            m = Math.max(m, Math.abs(v[j]));
        }
        return m * 1.001;
    }

    @Test
    void f16AndBf16RoundTripSpecialValues() {
        float[] v = {0f, -0f, 1f, -2.5f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 6e-8f, 1e-30f, 3.1415927f};
        Matrix h = Matrix.quantize(TensorType.F16, v, 1, v.length, arena);
        Matrix b = Matrix.quantize(TensorType.BF16, v, 1, v.length, arena);
        for (int i = 0; i < v.length; i++) {
            assertThat(h.get(0, i)).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(v[i])));
        }
        assertThat(b.get(0, 2)).isEqualTo(1f);
        assertThat(b.get(0, 5)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(b.get(0, 9)).isEqualTo(3.140625f); // round to nearest even of pi in 8 mantissa bits
        assertThat(Quantizers.floatToBf16(Float.NaN) & 0x7F80).isEqualTo(0x7F80);
    }

    @Test
    void ofRejectsShapesThatDoNotFit() {
        MemorySegment s = arena.allocate(34);
        assertThatThrownBy(() -> Matrix.of(TensorType.Q8_0, s, 2, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("68 bytes").hasMessageContaining("34");
        assertThatThrownBy(() -> Matrix.of(TensorType.Q8_0, s, 1, 17))
                .hasMessageContaining("blocks of 32");
        assertThatThrownBy(() -> Matrix.of(TensorType.F32, s, 0, 4)).hasMessageContaining("positive");
        assertThatThrownBy(() -> Matrix.quantize(TensorType.F32, new float[3], 2, 2, arena)).hasMessageContaining("need 4");
    }

    @Test
    void dotScalarIsTheSequentialSum() {
        float[] w = {1f, 2f, 3f, 1e8f, -1e8f};
        Matrix m = Matrix.quantize(TensorType.F32, w, 1, 5, arena);
        float[] x = {1f, 1f, 1f, 1f, 1f};
        assertThat(m.dotScalar(0, x, 0)).isEqualTo(((((0f + 1f) + 2f) + 3f) + 1e8f) - 1e8f);
    }
}
