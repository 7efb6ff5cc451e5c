package io.braid.model.llama;

import io.braid.tensor.Matrix;
import io.braid.tensor.RopeLayout;

/**
 * A plain llama2.c-style forward pass for tests: weights dequantized to float[][] up front, every sum a sequential
 * scalar loop, nothing shared with the engine's code except the dequantized weights it is handed. One token at a time.
 */
final class NaiveLlama {

    private final LlamaConfig c;
    private final float[][] embed;
    private final float[][] attNorm, ffnNorm;
    private final float[][][] wq, wk, wv, wo, w1, w2, w3;
    private final float[] finalNorm;
    private final float[][] out;
    private final float[][][] keyCache, valueCache;

    NaiveLlama(LlamaConfig c, Matrix embedding, LayerWeights[] layers, float[] finalNorm, Matrix output) {
        this.c = c;
        this.embed = dense(embedding);
        int n = layers.length;
        attNorm = new float[n][];
        ffnNorm = new float[n][];
        wq = new float[n][][];
        wk = new float[n][][];
        wv = new float[n][][];
        wo = new float[n][][];
        w1 = new float[n][][];
        w2 = new float[n][][];
        w3 = new float[n][][];
        for (int l = 0; l < n; l++) {
            attNorm[l] = layers[l].attentionNorm().clone();
            ffnNorm[l] = layers[l].ffnNorm().clone();
            wq[l] = dense(layers[l].wq());
            wk[l] = dense(layers[l].wk());
            wv[l] = dense(layers[l].wv());
            wo[l] = dense(layers[l].wo());
            w1[l] = dense(layers[l].gate());
            w2[l] = dense(layers[l].down());
            w3[l] = dense(layers[l].up());
        }
        this.finalNorm = finalNorm.clone();
        this.out = dense(output);
        keyCache = new float[n][c.contextLength()][];
        valueCache = new float[n][c.contextLength()][];
    }

    static NaiveLlama of(LlamaModel model, WeightSource w) {
        LayerWeights[] layers = new LayerWeights[model.config().layers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = w.layer(l);
        }
        return new NaiveLlama(model.config(), w.embedding(), layers, w.outputNorm(), w.output());
    }

    private static float[][] dense(Matrix m) {
        float[][] d = new float[m.rows()][m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            for (int k = 0; k < m.cols(); k++) {
                d[r][k] = m.get(r, k);
            }
        }
        return d;
    }

    /** Logits for {@code token} at {@code pos} (positions must be fed in order 0,1,2...). */
    float[] forward(int token, int pos) {
        int dim = c.dim(), hs = c.headSize(), kvDim = c.kvDim();
        float[] x = embed[token].clone();
        for (int l = 0; l < wq.length; l++) {
            float[] xb = rmsnorm(x, attNorm[l]);
            float[] q = matvec(wq[l], xb);
            float[] k = matvec(wk[l], xb);
            float[] v = matvec(wv[l], xb);
            rope(q, pos);
            rope(k, pos);
            keyCache[l][pos] = k;
            valueCache[l][pos] = v;
            float[] att = new float[c.qDim()];
            int group = c.heads() / c.kvHeads();
            for (int h = 0; h < c.heads(); h++) {
                int kvo = (h / group) * hs;
                float[] scores = new float[pos + 1];
                for (int t = 0; t <= pos; t++) {
                    float s = 0f;
                    for (int i = 0; i < hs; i++) {
                        s += q[h * hs + i] * keyCache[l][t][kvo + i];
                    }
                    scores[t] = s / (float) Math.sqrt(hs);
                }
                softmax(scores);
                for (int t = 0; t <= pos; t++) {
                    for (int i = 0; i < hs; i++) {
                        att[h * hs + i] += scores[t] * valueCache[l][t][kvo + i];
                    }
                }
            }
            float[] o = matvec(wo[l], att);
            for (int i = 0; i < dim; i++) {
                x[i] += o[i];
            }
            xb = rmsnorm(x, ffnNorm[l]);
            float[] g = matvec(w1[l], xb);
            float[] u = matvec(w3[l], xb);
            for (int i = 0; i < g.length; i++) {
                float s = g[i] * (1f / (1f + (float) Math.exp(-g[i])));
                g[i] = s * u[i];
            }
            float[] d = matvec(w2[l], g);
            for (int i = 0; i < dim; i++) {
                x[i] += d[i];
            }
        }
        return matvec(out, rmsnorm(x, finalNorm));
    }

    private float[] rmsnorm(float[] x, float[] w) {
        float ss = 0f;
        for (float v : x) {
            ss += v * v;
        }
        ss = 1f / (float) Math.sqrt(ss / x.length + c.rmsEps());
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = w[i] * (ss * x[i]);
        }
        return o;
    }

    private static float[] matvec(float[][] w, float[] x) {
        float[] o = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            float s = 0f;
            for (int k = 0; k < x.length; k++) {
                s += w[r][k] * x[k];
            }
            o[r] = s;
        }
        return o;
    }

    private void rope(float[] v, int pos) {
        int hs = c.headSize();
        for (int h = 0; h < v.length / hs; h++) {
            for (int i = 0; i < hs / 2; i++) {
                float freq = 1f / (float) Math.pow(c.ropeTheta(), 2.0 * i / hs);
                float val = pos * freq;
                float cr = (float) Math.cos(val), ci = (float) Math.sin(val);
                int a = c.ropeLayout() == RopeLayout.INTERLEAVED ? h * hs + 2 * i : h * hs + i;
                int b = c.ropeLayout() == RopeLayout.INTERLEAVED ? a + 1 : a + hs / 2;
                float v0 = v[a], v1 = v[b];
                v[a] = v0 * cr - v1 * ci;
                v[b] = v0 * ci + v1 * cr;
            }
        }
    }

    private static void softmax(float[] x) {
        float max = x[0];
        for (float v : x) {
            max = Math.max(max, v);
        }
        float sum = 0f;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.length; i++) {
            x[i] /= sum;
        }
    }
}
