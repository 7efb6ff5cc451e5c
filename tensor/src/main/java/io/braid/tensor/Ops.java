package io.braid.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise transformer operations, with llama2.c {@code run.c} semantics. All are deterministic on
 * every machine: sums are sequential, element-wise steps are exact IEEE operations (so vector and scalar
 * forms agree), {@code e^x} is {@link Exp}'s (built from exactly specified operations) and RoPE's
 * trigonometry comes from {@link StrictMath}, specified to the bit ({@code Math.exp/sin/cos} may differ by
 * an ulp between platforms).
 */
public final class Ops {
    private static final VectorSpecies<Float> F = Kernels.F;
    private static final int L = F.length();
    private static final int EL = Exp.FH.length();

    private Ops() {
    }

    /** {@code out = weight * x / sqrt(mean(x^2) + eps)}; {@code out} may alias {@code x}. */
    public static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        ss /= n;
        ss += eps;
        ss = 1f / (float) Math.sqrt(ss);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = weight[i] * (ss * x[xOff + i]);
        }
    }

    /** In-place softmax of {@code x[off..off+n)}, subtracting the max first for stability. */
    public static void softmax(float[] x, int off, int n) {
        float max = x[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        int i = 0;
        for (; i + EL <= n; i += EL) {
            Exp.exp(x, x, off + i, max);
        }
        for (; i < n; i++) {
            x[off + i] = Exp.exp(x[off + i] - max);
        }
        float sum = 0f;
        for (i = 0; i < n; i++) {
            sum += x[off + i];
        }
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, x, off + i).div(sum).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] /= sum;
        }
    }

    /**
     * SwiGLU in place: {@code gate[i] = silu(gate[i]) * up[i]} with {@code silu(v) = v * (1 / (1 + e^-v))}.
     */
    public static void swiglu(float[] gate, int gOff, float[] up, int uOff, int n) {
        // e^-v goes through a 1 KB temporary per call: negligible next to the matmul that produced the gate.
        float[] e = new float[Math.min(n, 256)];
        for (int c0 = 0; c0 < n; c0 += e.length) {
            int m = Math.min(e.length, n - c0);
            swigluChunk(gate, gOff + c0, up, uOff + c0, m, e);
        }
    }

    private static void swigluChunk(float[] gate, int gOff, float[] up, int uOff, int n, float[] e) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, gate, gOff + i).neg().intoArray(e, i);
        }
        for (; i < n; i++) {
            e[i] = -gate[gOff + i];
        }
        for (i = 0; i + EL <= n; i += EL) {
            Exp.exp(e, e, i, 0f);
        }
        for (; i < n; i++) {
            e[i] = Exp.exp(e[i]);
        }
        for (i = 0; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector sig = FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, e, i).add(1f));
            v.mul(sig).mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(gate, gOff + i);
        }
        for (; i < n; i++) {
            float v = gate[gOff + i];
            v *= 1f / (1f + e[i]);
            gate[gOff + i] = v * up[uOff + i];
        }
    }

    /**
     * Rotary position embedding in place over {@code nHeads} heads of {@code headSize} starting at
     * {@code off}. Pair i (0 &le; i &lt; headSize/2) rotates by {@code pos / theta^(2i/headSize)}; which
     * two elements form the pair is given by {@code layout}.
     */
    public static void rope(float[] vec, int off, int headSize, int nHeads, int pos, float theta, RopeLayout layout) {
        if (headSize % 2 != 0) {
            throw new IllegalArgumentException("RoPE needs an even head size, got " + headSize);
        }
        int half = headSize / 2;
        for (int i = 0; i < half; i++) {
            float freq = 1f / (float) StrictMath.pow(theta, (2 * i) / (float) headSize);
            float angle = pos * freq;
            float cos = (float) StrictMath.cos(angle);
            float sin = (float) StrictMath.sin(angle);
            for (int h = 0; h < nHeads; h++) {
                int base = off + h * headSize;
                int a = layout == RopeLayout.INTERLEAVED ? base + 2 * i : base + i;
                int b = layout == RopeLayout.INTERLEAVED ? a + 1 : a + half;
                float v0 = vec[a];
                float v1 = vec[b];
                vec[a] = v0 * cos - v1 * sin;
                vec[b] = v0 * sin + v1 * cos;
            }
        }
    }
}
