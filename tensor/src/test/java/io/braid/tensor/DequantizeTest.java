package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The vectorized row dequantizers against the scalar conversions, over every 16-bit pattern. */
class DequantizeTest {
    @Test
    void everyHalfAndBfloat16PatternConvertsLikeTheScalarCode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(65536 * 2);
            for (int i = 0; i < 65536; i++) {
                seg.set(Matrix.LE_SHORT, 2L * i, (short) i);
            }
            float[] half = new float[65536];
            float[] bf = new float[65536];
            // 64 rows of 1024, dequantized in ranges that leave scalar tails (cols 0..1000 then 1000..1024).
            Matrix h = Matrix.of(TensorType.F16, seg, 64, 1024);
            Matrix b = Matrix.of(TensorType.BF16, seg, 64, 1024);
            for (int r = 0; r < 64; r++) {
                Kernels.dequantize(h, r, 0, 1000, half, r * 1024);
                Kernels.dequantize(h, r, 1000, 1024, half, r * 1024 + 1000);
                Kernels.dequantize(b, r, 0, 1000, bf, r * 1024);
                Kernels.dequantize(b, r, 1000, 1024, bf, r * 1024 + 1000);
            }
            for (int i = 0; i < 65536; i++) {
                assertThat(Float.floatToRawIntBits(half[i])).as("half 0x%04x", i)
                        .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat((short) i)));
                assertThat(Float.floatToRawIntBits(bf[i])).as("bf16 0x%04x", i).isEqualTo(i << 16);
            }
        }
    }
}
