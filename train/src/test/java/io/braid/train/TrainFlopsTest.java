package io.braid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrainFlopsTest {

    @Test
    void matchesTheInferenceFormulaByHandForStories260K() {
        ModelShape s = ModelShape.stories260K(512);
        // docs/flops.md: token(0) = 5*(90,624 + 256) + 2*64*512 = 519,936; each later position adds 5*256.
        assertThat(TrainFlops.forwardToken(s, 0)).isEqualTo(519_936L);
        assertThat(TrainFlops.forwardToken(s, 3)).isEqualTo(519_936L + 3 * 5 * 256);
        long fwd2 = 519_936L + (519_936L + 5 * 256);
        assertThat(TrainFlops.window(s, 2)).isEqualTo(3 * fwd2);
        assertThat(TrainFlops.ofTokens(s, 2, 10)).isEqualTo(5 * 3 * fwd2);
        assertThatThrownBy(() -> TrainFlops.ofTokens(s, 4, 10)).hasMessageContaining("whole windows");
    }
}
