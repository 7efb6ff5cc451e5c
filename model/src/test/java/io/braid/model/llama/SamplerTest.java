package io.braid.model.llama;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplerTest {

    private static int[] draw(Sampler s, float[] logits, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(logits.clone(), 0, logits.length);
        }
        return out;
    }

    @Test
    void greedyTakesTheLowestIndexAmongTies() {
        assertThat(Sampler.greedy().sample(new float[]{1f, 3f, 3f, 2f}, 0, 4)).isEqualTo(1);
        assertThat(Sampler.greedy().sample(new float[]{9f, 1f, 3f, 3f, 2f}, 1, 4)).isEqualTo(1);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i) * 2;
        }
        int[] a = draw(new Sampler(1f, 0.9f, 0, 42), logits, 200);
        int[] b = draw(new Sampler(1f, 0.9f, 0, 42), logits, 200);
        int[] c = draw(new Sampler(1f, 0.9f, 0, 43), logits, 200);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(Arrays.stream(a).distinct().count()).isGreaterThan(3);
    }

    @Test
    void topKLimitsTheCandidates() {
        float[] logits = {0f, 5f, 4.9f, 4.8f, 0.1f, 4.7f};
        int[] picks = draw(new Sampler(10f, 1f, 2, 7), logits, 300);
        assertThat(picks).containsOnly(1, 2).contains(1, 2);
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // probabilities ~ 0.5, 0.3, 0.2 (temperature 1 over log-probs)
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        assertThat(draw(new Sampler(1f, 0.5f, 0, 3), logits, 200)).containsOnly(0);
        assertThat(draw(new Sampler(1f, 0.75f, 0, 3), logits, 300)).containsOnly(0, 1).contains(0, 1);
        assertThat(draw(new Sampler(1f, 1f, 0, 3), logits, 300)).contains(0, 1, 2);
    }

    @Test
    void samplingFollowsTheDistribution() {
        float[] logits = {(float) Math.log(0.7), (float) Math.log(0.3)};
        int[] picks = draw(new Sampler(1f, 1f, 0, 99), logits, 4000);
        long zeros = Arrays.stream(picks).filter(p -> p == 0).count();
        assertThat(zeros / 4000.0).isBetween(0.66, 0.74);
    }

    @Test
    void usesRunCsXorshiftGenerator() {
        // 256 equal logits: bucket = floor(coin * 256) = top 8 bits of run.c's random_u32 (values from a Python port of
        // run.c's random_u32 with seed 42).
        float[] logits = new float[256];
        assertThat(draw(new Sampler(1f, 1f, 0, 42), logits, 8)).containsExactly(86, 200, 202, 241, 195, 213, 52, 112);
    }

    @Test
    void rejectsBadTemperature() {
        assertThatThrownBy(() -> new Sampler(-1f, 1f, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampler(Float.NaN, 1f, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
