package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OpsTest {
    @Test
    void rmsnormMatchesTheFormula() {
        Random rnd = new Random(1);
        float[] x = ComputeTest.gaussian(rnd, 67);
        float[] w = ComputeTest.gaussian(rnd, 64);
        float[] out = new float[70];
        Ops.rmsnorm(out, 6, x, 3, w, 64, 1e-5f);
        double ss = 0;
        for (int i = 0; i < 64; i++) {
            ss += (double) x[3 + i] * x[3 + i];
        }
        double scale = 1 / Math.sqrt(ss / 64 + 1e-5);
        for (int i = 0; i < 64; i++) {
            assertThat((double) out[6 + i]).isCloseTo(w[i] * x[3 + i] * scale, within(1e-5));
        }
        float[] inPlace = x.clone();
        Ops.rmsnorm(inPlace, 3, inPlace, 3, w, 64, 1e-5f);
        for (int i = 0; i < 64; i++) {
            assertThat(inPlace[3 + i]).isEqualTo(out[6 + i]);
        }
    }

    @Test
    void softmaxIsStableAndNormalized() {
        float[] x = {9f, 1000f, 1001f, 999f, 5f};
        Ops.softmax(x, 1, 3);
        double e0 = Math.exp(-1), e2 = Math.exp(-2);
        double sum = e0 + 1 + e2;
        assertThat((double) x[1]).isCloseTo(e0 / sum, within(1e-6));
        assertThat((double) x[2]).isCloseTo(1 / sum, within(1e-6));
        assertThat((double) x[3]).isCloseTo(e2 / sum, within(1e-6));
        assertThat(x[0]).isEqualTo(9f);
        assertThat(x[4]).isEqualTo(5f);
    }

    @Test
    void swigluIsSiluOfGateTimesUp() {
        float[] g = {0f, 1f, -2f, 3f};
        float[] u = {5f, 2f, 3f, -1f};
        Ops.swiglu(g, 1, u, 0, 3);
        assertThat(g[0]).isEqualTo(0f);
        assertThat((double) g[1]).isCloseTo(1 / (1 + Math.exp(-1)) * 5, within(1e-6));
        assertThat((double) g[2]).isCloseTo(-2 / (1 + Math.exp(2)) * 2, within(1e-6));
        assertThat((double) g[3]).isCloseTo(3 / (1 + Math.exp(-3)) * 3, within(1e-6));
    }

    @Test
    void ropeRotatesEachPairByPosTimesFrequency() {
        int head = 8, heads = 2, pos = 5;
        float theta = 10000f;
        Random rnd = new Random(2);
        float[] v = ComputeTest.gaussian(rnd, 1 + head * heads);
        float[] inter = v.clone();
        float[] half = v.clone();
        Ops.rope(inter, 1, head, heads, pos, theta, RopeLayout.INTERLEAVED);
        Ops.rope(half, 1, head, heads, pos, theta, RopeLayout.HALF_SPLIT);
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < head / 2; i++) {
                double angle = pos / Math.pow(theta, 2.0 * i / head);
                int base = 1 + h * head;
                check(v, inter, base + 2 * i, base + 2 * i + 1, angle);
                check(v, half, base + i, base + i + head / 2, angle);
            }
        }
        float[] zero = v.clone();
        Ops.rope(zero, 1, head, heads, 0, theta, RopeLayout.INTERLEAVED);
        assertThat(zero).containsExactly(v);
    }

    private static void check(float[] before, float[] after, int a, int b, double angle) {
        double c = Math.cos(angle), s = Math.sin(angle);
        assertThat((double) after[a]).isCloseTo(before[a] * c - before[b] * s, within(1e-5));
        assertThat((double) after[b]).isCloseTo(before[a] * s + before[b] * c, within(1e-5));
    }
}
