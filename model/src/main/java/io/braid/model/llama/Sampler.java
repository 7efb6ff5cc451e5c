package io.braid.model.llama;

import io.braid.tensor.Ops;

import java.util.Arrays;

/**
 * Picks the next token from logits: greedy at temperature 0 (argmax, lowest index on ties, like run.c), otherwise
 * temperature-scaled softmax restricted to the top-k tokens and/or the top-p nucleus, sampled with run.c's xorshift*
 * generator from a seed, so a seed always gives the same tokens (and run.c's tokens when top-k is off).
 * One sampler per session: it carries the generator state.
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final int topK;
    private long state;
    private long[] order = new long[0];

    /**
     * @param temperature 0 for greedy; otherwise logits are divided by it before the softmax
     * @param topP        nucleus mass in (0, 1); values outside (0, 1) disable top-p (as in run.c)
     * @param topK        keep only the k most likely tokens; 0 or less disables top-k
     * @param seed        generator seed (0 is replaced by a fixed non-zero value: xorshift must not start at 0)
     */
    public Sampler(float temperature, float topP, int topK, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (Float.isNaN(topP)) {
            throw new IllegalArgumentException("top-p must be a number, got NaN");
        }
        this.temperature = temperature;
        this.topP = topP;
        this.topK = topK;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** A greedy sampler. */
    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0, 1);
    }

    /** Samples from {@code logits[off .. off+n)}; the logits are scaled and turned into probabilities in place. */
    public int sample(float[] logits, int off, int n) {
        if (temperature == 0f) {
            return argmax(logits, off, n);
        }
        for (int i = 0; i < n; i++) {
            logits[off + i] /= temperature;
        }
        Ops.softmax(logits, off, n);
        float coin = nextFloat();
        boolean useTopK = topK > 0 && topK < n;
        boolean useTopP = topP > 0f && topP < 1f;
        if (!useTopK && !useTopP) {
            return sampleMultinomial(logits, off, n, coin);
        }
        return sampleRestricted(logits, off, n, coin, useTopK ? topK : n, useTopP ? topP : 1f);
    }

    /** Index of the largest value, the lowest index among equals. */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        float max = x[off];
        for (int i = 1; i < n; i++) {
            if (x[off + i] > max) {
                max = x[off + i];
                best = i;
            }
        }
        return best;
    }

    private static int sampleMultinomial(float[] p, int off, int n, float coin) {
        float cdf = 0f;
        for (int i = 0; i < n; i++) {
            cdf += p[off + i];
            if (coin < cdf) {
                return i;
            }
        }
        return n - 1; // rounding: the coin landed past the last bucket
    }

    /**
     * Top-k then top-p over tokens sorted by probability (descending, lower index first on ties). Like run.c, tokens
     * below {@code (1-topP)/(n-1)} are dropped before sorting when only top-p is active — they cannot be in the nucleus.
     */
    private int sampleRestricted(float[] p, int off, int n, float coin, int k, float nucleus) {
        if (order.length < n) {
            order = new long[n];
        }
        float cutoff = k == n ? (1f - nucleus) / (n - 1) : 0f;
        int m = 0;
        for (int i = 0; i < n; i++) {
            float prob = p[off + i];
            if (prob >= cutoff) {
                // probabilities are >= 0, so their bit patterns order like the values: sort key = (-prob, index)
                order[m++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(prob)) << 32) | i;
            }
        }
        Arrays.sort(order, 0, m);
        int keep = Math.min(k, m);
        float cumulative = 0f;
        int last = keep - 1;
        for (int i = 0; i < keep; i++) {
            cumulative += p[off + index(i)];
            if (cumulative > nucleus) {
                last = i;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0f;
        for (int i = 0; i <= last; i++) {
            cdf += p[off + index(i)];
            if (r < cdf) {
                return index(i);
            }
        }
        return index(last);
    }

    private int index(int rank) {
        return (int) order[rank];
    }

    /** run.c's random_u32/random_f32: xorshift* on 64 bits, top 24 bits of the high word as a float in [0, 1). */
    private float nextFloat() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        int u32 = (int) ((state * 0x2545F4914F6CDD1DL) >>> 32);
        return (u32 >>> 8) / 16777216.0f;
    }
}
