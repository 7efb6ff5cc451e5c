package io.braid.model.llama;

import io.braid.tensor.RopeLayout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-computed FLOP counts (see docs/flops.md). */
class FlopsTest {

    private static final LlamaConfig STORIES = new LlamaConfig("llama", 64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 10000f,
            RopeLayout.INTERLEAVED, false);
    private static final LlamaConfig TINYLLAMA = new LlamaConfig("llama", 2048, 5632, 22, 32, 4, 64, 32000, 2048,
            1e-5f, 10000f, RopeLayout.INTERLEAVED, false);

    @Test
    void stories260KByHand() {
        // q 64x64, k 32x64, v 32x64, o 64x64, gate/up 172x64, down 64x172, 2 FLOPs per multiply-add
        long matmul = 2L * (4096 + 2048 + 2048 + 4096 + 3 * 11008);
        assertThat(Flops.layerMatmul(STORIES)).isEqualTo(matmul).isEqualTo(90_624L);
        assertThat(Flops.layerAttention(STORIES, 0)).isEqualTo(256L);       // 2*2*8*8*1
        assertThat(Flops.layerAttention(STORIES, 9)).isEqualTo(2560L);
        assertThat(Flops.span(STORIES, 0, 5, 0)).isEqualTo(5 * (90_624L + 256));
        assertThat(Flops.span(STORIES, 1, 3, 9)).isEqualTo(2 * (90_624L + 2560));
        assertThat(Flops.span(STORIES, 0, 5, new int[]{0, 1, 2})).isEqualTo(5 * (3 * 90_624L + 256 + 512 + 768));
        assertThat(Flops.head(STORIES)).isEqualTo(65_536L);
        assertThat(Flops.embedding(STORIES)).isZero();
        assertThat(Flops.token(STORIES, 0)).isEqualTo(5 * (90_624L + 256) + 65_536L).isEqualTo(519_936L);
        assertThat(Flops.meanPerToken(STORIES)).isEqualTo(5 * (90_624.0 + 256 * 513 / 2.0) + 65_536);
    }

    @Test
    void tinyLlamaByHand() {
        long perLayer = 2L * (2048L * 2048 + 256L * 2048 * 2 + 2048L * 2048 + 3L * 5632 * 2048);
        assertThat(Flops.layerMatmul(TINYLLAMA)).isEqualTo(perLayer).isEqualTo(88_080_384L);
        assertThat(Flops.token(TINYLLAMA, 99)).isEqualTo(22 * (88_080_384L + 4L * 2048 * 100) + 2L * 2048 * 32000)
                .isEqualTo(2_086_862_848L); // docs/flops.md
    }

    @Test
    void splitSpansSumToTheWhole() {
        for (int p : new int[]{0, 7, 400}) {
            assertThat(Flops.span(STORIES, 0, 2, p) + Flops.span(STORIES, 2, 5, p)).isEqualTo(Flops.span(STORIES, 0, 5, p));
        }
        assertThatThrownBy(() -> Flops.span(STORIES, 0, 6, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Flops.layerAttention(STORIES, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
