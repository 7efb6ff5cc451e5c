package io.braid.train;

/**
 * An independent, plain double-precision Llama forward (no saved activations, no shared code with
 * {@link TrainModel}) used as ground truth: its loss is compared with the float engine and its central
 * finite differences with the engine's analytic gradients.
 */
final class ReferenceModel {

    private final ModelShape s;
    private final ParamLayout lay;

    ReferenceModel(ModelShape shape) {
        this.s = shape;
        this.lay = new ParamLayout(shape);
    }

    private double[] tensor(double[] w, String name) {
        ParamLayout.Slot slot = lay.slot(name);
        double[] out = new double[slot.size()];
        System.arraycopy(w, slot.offset(), out, 0, slot.size());
        return out;
    }

    private static double[][] matmul(double[][] x, double[] w, int out, int in) {
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int i = 0; i < in; i++) {
                    acc += w[o * in + i] * x[t][i];
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private double[][] rmsnorm(double[][] x, double[] g) {
        double[][] y = new double[x.length][x[0].length];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double r = 1.0 / Math.sqrt(ss / x[t].length + s.normEps());
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = g[i] * x[t][i] * r;
            }
        }
        return y;
    }

    private void rope(double[][] x, int heads) {
        int hs = s.headSize();
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < hs / 2; j++) {
                    double freq = 1.0 / Math.pow(s.ropeTheta(), 2.0 * j / hs);
                    double a = t * freq;
                    int i0 = h * hs + 2 * j;
                    double x0 = x[t][i0];
                    double x1 = x[t][i0 + 1];
                    x[t][i0] = x0 * Math.cos(a) - x1 * Math.sin(a);
                    x[t][i0 + 1] = x0 * Math.sin(a) + x1 * Math.cos(a);
                }
            }
        }
    }

    /** Mean cross-entropy of each sequence's tokens [1..T] given [0..T). */
    double loss(double[] w, int[][] seqs) {
        double total = 0;
        int count = 0;
        for (int[] seq : seqs) {
            double[][] logits = logits(w, java.util.Arrays.copyOf(seq, seq.length - 1));
            for (int t = 0; t < logits.length; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : logits[t]) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (double v : logits[t]) {
                    sum += Math.exp(v - max);
                }
                total += Math.log(sum) + max - logits[t][seq[t + 1]];
                count++;
            }
        }
        return total / count;
    }

    double[][] logits(double[] w, int[] tokens) {
        int T = tokens.length;
        int d = s.dim();
        int hs = s.headSize();
        double[] emb = tensor(w, "token_embd.weight");
        double[][] x = new double[T][d];
        for (int t = 0; t < T; t++) {
            System.arraycopy(emb, tokens[t] * d, x[t], 0, d);
        }
        for (int l = 0; l < s.nLayers(); l++) {
            String b = "blk." + l + ".";
            double[][] xn = rmsnorm(x, tensor(w, b + "attn_norm.weight"));
            double[][] q = matmul(xn, tensor(w, b + "attn_q.weight"), d, d);
            double[][] k = matmul(xn, tensor(w, b + "attn_k.weight"), s.kvDim(), d);
            double[][] v = matmul(xn, tensor(w, b + "attn_v.weight"), s.kvDim(), d);
            rope(q, s.nHeads());
            rope(k, s.nKvHeads());
            double[][] att = new double[T][d];
            for (int h = 0; h < s.nHeads(); h++) {
                int g = h / (s.nHeads() / s.nKvHeads());
                for (int t = 0; t < T; t++) {
                    double[] sc = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double acc = 0;
                        for (int i = 0; i < hs; i++) {
                            acc += q[t][h * hs + i] * k[u][g * hs + i];
                        }
                        sc[u] = acc / Math.sqrt(hs);
                        max = Math.max(max, sc[u]);
                    }
                    double sum = 0;
                    for (int u = 0; u <= t; u++) {
                        sc[u] = Math.exp(sc[u] - max);
                        sum += sc[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hs; i++) {
                            att[t][h * hs + i] += sc[u] / sum * v[u][g * hs + i];
                        }
                    }
                }
            }
            double[][] o = matmul(att, tensor(w, b + "attn_output.weight"), d, d);
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < d; i++) {
                    x[t][i] += o[t][i];
                }
            }
            double[][] xn2 = rmsnorm(x, tensor(w, b + "ffn_norm.weight"));
            double[][] gate = matmul(xn2, tensor(w, b + "ffn_gate.weight"), s.hiddenDim(), d);
            double[][] up = matmul(xn2, tensor(w, b + "ffn_up.weight"), s.hiddenDim(), d);
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < s.hiddenDim(); i++) {
                    double gv = gate[t][i];
                    gate[t][i] = gv / (1 + Math.exp(-gv)) * up[t][i];
                }
            }
            double[][] down = matmul(gate, tensor(w, b + "ffn_down.weight"), d, s.hiddenDim());
            for (int t = 0; t < T; t++) {
                for (int i = 0; i < d; i++) {
                    x[t][i] += down[t][i];
                }
            }
        }
        double[][] xf = rmsnorm(x, tensor(w, "output_norm.weight"));
        String head = s.tiedEmbeddings() ? "token_embd.weight" : "output.weight";
        return matmul(xf, tensor(w, head), s.vocabSize(), d);
    }
}
