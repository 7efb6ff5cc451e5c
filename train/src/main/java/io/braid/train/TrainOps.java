package io.braid.train;

/**
 * Forward and backward of each Llama block operation over rows of a sequence, in float32. Forward
 * functions save what their backward needs in caller-provided arrays; backward functions accumulate
 * ({@code +=}) into input and weight gradients so residual branches simply add up.
 */
final class TrainOps {

    private TrainOps() {
    }

    /** y[t] = x[t] · inv[t] · w, inv[t] = 1/sqrt(mean(x[t]²) + eps); saves inv. */
    static void rmsnormForward(float[] y, float[] inv, float[] x, float[] w, int wOff, int rows, int n, float eps) {
        for (int t = 0; t < rows; t++) {
            int o = t * n;
            float ss = 0f;
            for (int i = 0; i < n; i++) {
                ss += x[o + i] * x[o + i];
            }
            float r = (float) (1.0 / Math.sqrt(ss / n + eps));
            inv[t] = r;
            for (int i = 0; i < n; i++) {
                y[o + i] = w[wOff + i] * (r * x[o + i]);
            }
        }
    }

    /** dx += ∂/∂x, dw += ∂/∂w of rmsnorm given dy. */
    static void rmsnormBackward(float[] dx, float[] dw, int dwOff, float[] dy, float[] x, float[] inv, float[] w, int wOff,
                                int rows, int n) {
        for (int t = 0; t < rows; t++) {
            int o = t * n;
            float r = inv[t];
            float s = 0f;
            for (int i = 0; i < n; i++) {
                float gw = dy[o + i] * w[wOff + i];
                s += gw * x[o + i];
                dw[dwOff + i] += dy[o + i] * x[o + i] * r;
            }
            float c = r * r * r * s / n;
            for (int i = 0; i < n; i++) {
                dx[o + i] += r * dy[o + i] * w[wOff + i] - c * x[o + i];
            }
        }
    }

    /**
     * Rotates interleaved pairs (2j, 2j+1) of every head of every row by pos·freq_j, in place. Row t is at
     * position t. {@code cos/sin} are [seqLen x headSize/2].
     */
    static void ropeForward(float[] v, int rows, int nHeads, int headSize, float[] cos, float[] sin) {
        rotatePairs(v, rows, nHeads, headSize, cos, sin, 1f);
    }

    /** The transpose of {@link #ropeForward}: rotates the gradient back by -pos·freq_j, in place. */
    static void ropeBackward(float[] g, int rows, int nHeads, int headSize, float[] cos, float[] sin) {
        rotatePairs(g, rows, nHeads, headSize, cos, sin, -1f);
    }

    /** Rotates every interleaved pair by the angle whose sine is {@code sinSign·sin}: +1 forward, -1 its transpose. */
    private static void rotatePairs(float[] v, int rows, int nHeads, int headSize, float[] cos, float[] sin, float sinSign) {
        int half = headSize / 2;
        int width = nHeads * headSize;
        for (int t = 0; t < rows; t++) {
            for (int h = 0; h < nHeads; h++) {
                int base = t * width + h * headSize;
                for (int j = 0; j < half; j++) {
                    float c = cos[t * half + j];
                    float s = sinSign * sin[t * half + j];   // exact: negation only
                    float a = v[base + 2 * j];
                    float b = v[base + 2 * j + 1];
                    v[base + 2 * j] = a * c - b * s;
                    v[base + 2 * j + 1] = a * s + b * c;
                }
            }
        }
    }

    /**
     * Causal grouped-query attention. q is [rows x nHeads·hs], k and v are [rows x nKv·hs]; writes
     * out [rows x nHeads·hs] and the probabilities p [nHeads x rows x rows] (zero above the diagonal).
     */
    static void attentionForward(float[] out, float[] p, float[] q, float[] k, float[] v, int rows, int nHeads, int nKv,
                                 int hs) {
        int qw = nHeads * hs;
        int kw = nKv * hs;
        int group = nHeads / nKv;
        float scale = (float) (1.0 / Math.sqrt(hs));
        java.util.Arrays.fill(p, 0, nHeads * rows * rows, 0f);
        for (int h = 0; h < nHeads; h++) {
            int g = h / group;
            for (int t = 0; t < rows; t++) {
                int pr = (h * rows + t) * rows;
                float max = Float.NEGATIVE_INFINITY;
                for (int u = 0; u <= t; u++) {
                    float sc = Kernels.dot(q, t * qw + h * hs, k, u * kw + g * hs, hs) * scale;
                    p[pr + u] = sc;
                    max = Math.max(max, sc);
                }
                float sum = 0f;
                for (int u = 0; u <= t; u++) {
                    float e = (float) Math.exp(p[pr + u] - max);
                    p[pr + u] = e;
                    sum += e;
                }
                float invSum = 1f / sum;
                int oo = t * qw + h * hs;
                java.util.Arrays.fill(out, oo, oo + hs, 0f);
                for (int u = 0; u <= t; u++) {
                    p[pr + u] *= invSum;
                    Kernels.axpy(p[pr + u], v, u * kw + g * hs, out, oo, hs);
                }
            }
        }
    }

    /** Accumulates dq, dk, dv from dOut; {@code scratch} needs {@code rows} floats. */
    static void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dOut, float[] p, float[] q, float[] k,
                                  float[] v, int rows, int nHeads, int nKv, int hs, float[] scratch) {
        int qw = nHeads * hs;
        int kw = nKv * hs;
        int group = nHeads / nKv;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int h = 0; h < nHeads; h++) {
            int g = h / group;
            for (int t = 0; t < rows; t++) {
                int pr = (h * rows + t) * rows;
                int oo = t * qw + h * hs;
                float dot = 0f;
                for (int u = 0; u <= t; u++) {
                    float dp = Kernels.dot(dOut, oo, v, u * kw + g * hs, hs);
                    scratch[u] = dp;
                    dot += dp * p[pr + u];
                    Kernels.axpy(p[pr + u], dOut, oo, dv, u * kw + g * hs, hs);
                }
                for (int u = 0; u <= t; u++) {
                    float ds = p[pr + u] * (scratch[u] - dot) * scale;
                    if (ds != 0f) {
                        Kernels.axpy(ds, k, u * kw + g * hs, dq, oo, hs);
                        Kernels.axpy(ds, q, oo, dk, u * kw + g * hs, hs);
                    }
                }
            }
        }
    }

    /** act = silu(gate) · up over n elements. */
    static void swigluForward(float[] act, float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float gv = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-gv)));
            act[i] = gv * sig * up[i];
        }
    }

    /** dGate and dUp are overwritten. */
    static void swigluBackward(float[] dGate, float[] dUp, float[] dAct, float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float gv = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-gv)));
            float silu = gv * sig;
            dUp[i] = dAct[i] * silu;
            dGate[i] = dAct[i] * up[i] * (sig * (1f + gv * (1f - sig)));
        }
    }

    /**
     * Softmax cross-entropy of each row against its target. Replaces logits with
     * {@code scale·(softmax − onehot)} (the gradient of scale·Σ loss) and returns the sum of the row losses.
     */
    static double crossEntropy(float[] logits, int[] targets, int tOff, int rows, int vocab, float scale) {
        double total = 0;
        for (int t = 0; t < rows; t++) {
            int o = t * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, logits[o + i]);
            }
            int target = targets[tOff + t];
            float targetLogit = logits[o + target];
            float sum = 0f;
            for (int i = 0; i < vocab; i++) {
                float e = (float) Math.exp(logits[o + i] - max);
                logits[o + i] = e;
                sum += e;
            }
            total += Math.log(sum) - (targetLogit - max);
            float inv = 1f / sum;
            for (int i = 0; i < vocab; i++) {
                logits[o + i] = logits[o + i] * inv * scale;
            }
            logits[o + target] -= scale;
        }
        return total;
    }
}
