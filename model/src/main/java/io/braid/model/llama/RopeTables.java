package io.braid.model.llama;

import io.braid.tensor.RopeLayout;

/**
 * Precomputed RoPE rotations: cos/sin of {@code pos * freq_i} per position and pair index, grown on demand so a
 * long-context model costs memory only for positions actually reached. Values follow llama2.c's run.c in float
 * arithmetic: {@code freq_i = 1 / theta^(2i / headSize)}.
 */
final class RopeTables {

    private static final int CHUNK = 256;

    private final int half;
    private final float[] freqs;
    private final RopeLayout layout;
    private volatile float[] cos = new float[0];
    private volatile float[] sin = new float[0];

    private RopeTables(int headSize, float theta, RopeLayout layout) {
        this.half = headSize / 2;
        this.layout = layout;
        this.freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = 1.0f / (float) StrictMath.pow(theta, (2 * i) / (float) headSize);
        }
    }

    static RopeTables of(LlamaConfig c) {
        return new RopeTables(c.headSize(), c.ropeTheta(), c.ropeLayout());
    }

    /** Rotates {@code nHeads} consecutive heads starting at {@code vec[off]} for position {@code pos}. */
    void apply(float[] vec, int off, int nHeads, int pos) {
        float[] c = cos;
        float[] s = sin;
        if ((pos + 1) * half > c.length) {
            grow(pos);
            c = cos;
            s = sin;
        }
        int base = pos * half;
        int headSize = 2 * half;
        for (int h = 0; h < nHeads; h++) {
            int ho = off + h * headSize;
            for (int i = 0; i < half; i++) {
                int a = layout == RopeLayout.INTERLEAVED ? ho + 2 * i : ho + i;
                int b = layout == RopeLayout.INTERLEAVED ? a + 1 : a + half;
                float fcr = c[base + i];
                float fci = s[base + i];
                float v0 = vec[a];
                float v1 = vec[b];
                vec[a] = v0 * fcr - v1 * fci;
                vec[b] = v0 * fci + v1 * fcr;
            }
        }
    }

    private synchronized void grow(int pos) {
        int have = cos.length / half;
        if (pos < have) {
            return;
        }
        int positions = (pos / CHUNK + 1) * CHUNK;
        float[] c = java.util.Arrays.copyOf(cos, positions * half);
        float[] s = java.util.Arrays.copyOf(sin, positions * half);
        for (int p = have; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = p * freqs[i];
                c[p * half + i] = (float) StrictMath.cos(angle);
                s[p * half + i] = (float) StrictMath.sin(angle);
            }
        }
        sin = s;
        cos = c;
    }
}
