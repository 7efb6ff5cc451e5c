package io.braid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every backward against central finite differences: each op on its own (float forward, objective
 * Σ R·y summed in double, eps 1e-2), and the whole model against an independent double-precision forward.
 */
class GradientCheckTest {

    private static final double EPS = 1e-2;

    private static float[] rand(Random r, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * std);
        }
        return a;
    }

    /** Σ R·y in double. */
    private static double dotD(float[] y, float[] r) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) y[i] * r[i];
        }
        return s;
    }

    /** Checks analytic gradient {@code grad} of objective {@code f} wrt {@code x} by central differences. */
    private static void check(String what, float[] x, float[] grad, java.util.function.DoubleSupplier f) {
        double maxAbs = 0;
        for (float g : grad) {
            maxAbs = Math.max(maxAbs, Math.abs(g));
        }
        assertThat(maxAbs).as(what + ": gradient must not vanish").isGreaterThan(1e-3);
        for (int i = 0; i < x.length; i++) {
            float keep = x[i];
            x[i] = (float) (keep + EPS);
            double up = f.getAsDouble();
            x[i] = (float) (keep - EPS);
            double down = f.getAsDouble();
            x[i] = keep;
            double fd = (up - down) / (2 * EPS);
            assertThat((double) grad[i]).as(what + " [" + i + "]").isCloseTo(fd, org.assertj.core.data.Offset.offset(3e-3 * Math.max(1, maxAbs)));
        }
    }

    @Test
    void rmsnorm() {
        Random r = new Random(1);
        int rows = 3, n = 12;
        float[] x = rand(r, rows * n, 1), w = rand(r, n, 1), R = rand(r, rows * n, 1);
        float[] y = new float[rows * n], inv = new float[rows];
        java.util.function.DoubleSupplier f = () -> {
            TrainOps.rmsnormForward(y, inv, x, w, 0, rows, n, 1e-5f);
            return dotD(y, R);
        };
        f.getAsDouble();
        float[] dx = new float[rows * n], dw = new float[n];
        TrainOps.rmsnormBackward(dx, dw, 0, R, x, inv, w, 0, rows, n);
        check("rmsnorm dx", x, dx, f);
        check("rmsnorm dw", w, dw, f);
    }

    @Test
    void rope() {
        Random r = new Random(2);
        ModelShape s = new ModelShape(8, 8, 1, 2, 2, 4, 5, true, 10000f, 1e-5f);
        TrainModel m = new TrainModel(s, 1);
        int rows = 5, heads = 2, hs = 4;
        float[] x = rand(r, rows * heads * hs, 1), R = rand(r, x.length, 1);
        float[][] tables = ropeTables(s);
        java.util.function.DoubleSupplier f = () -> {
            float[] y = x.clone();
            TrainOps.ropeForward(y, rows, heads, hs, tables[0], tables[1]);
            return dotD(y, R);
        };
        float[] dx = R.clone();
        TrainOps.ropeBackward(dx, rows, heads, hs, tables[0], tables[1]);
        check("rope dx", x, dx, f);
        m.close();
    }

    static float[][] ropeTables(ModelShape s) {
        int half = s.headSize() / 2;
        float[] cos = new float[s.seqLen() * half], sin = new float[s.seqLen() * half];
        for (int pos = 0; pos < s.seqLen(); pos++) {
            for (int j = 0; j < half; j++) {
                double a = pos / Math.pow(s.ropeTheta(), 2.0 * j / s.headSize());
                cos[pos * half + j] = (float) Math.cos(a);
                sin[pos * half + j] = (float) Math.sin(a);
            }
        }
        return new float[][] {cos, sin};
    }

    @Test
    void groupedQueryCausalAttention() {
        Random r = new Random(3);
        int rows = 5, nh = 4, nkv = 2, hs = 6;
        float[] q = rand(r, rows * nh * hs, 1), k = rand(r, rows * nkv * hs, 1), v = rand(r, rows * nkv * hs, 1);
        float[] R = rand(r, rows * nh * hs, 1);
        float[] out = new float[R.length], p = new float[nh * rows * rows];
        java.util.function.DoubleSupplier f = () -> {
            TrainOps.attentionForward(out, p, q, k, v, rows, nh, nkv, hs);
            return dotD(out, R);
        };
        f.getAsDouble();
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        TrainOps.attentionBackward(dq, dk, dv, R, p, q, k, v, rows, nh, nkv, hs, new float[rows]);
        check("attention dq", q, dq, f);
        check("attention dk", k, dk, f);
        check("attention dv", v, dv, f);
        // causality: the first position's output depends on nothing after it
        float[] before = out.clone();
        k[(rows - 1) * nkv * hs] += 1f;
        f.getAsDouble();
        for (int i = 0; i < nh * hs; i++) {
            assertThat(out[i]).isEqualTo(before[i]);
        }
    }

    @Test
    void swiglu() {
        Random r = new Random(4);
        int n = 20;
        float[] g = rand(r, n, 2), u = rand(r, n, 1), R = rand(r, n, 1), y = new float[n];
        java.util.function.DoubleSupplier f = () -> {
            TrainOps.swigluForward(y, g, u, n);
            return dotD(y, R);
        };
        float[] dg = new float[n], du = new float[n];
        TrainOps.swigluBackward(dg, du, R, g, u, n);
        check("swiglu dgate", g, dg, f);
        check("swiglu dup", u, du, f);
    }

    @Test
    void crossEntropy() {
        Random r = new Random(5);
        int rows = 3, vocab = 7;
        float[] logits = rand(r, rows * vocab, 2);
        int[] targets = {9, 2, 6, 0};
        java.util.function.DoubleSupplier f = () -> TrainOps.crossEntropy(logits.clone(), targets, 1, rows, vocab, 1f);
        float[] grad = logits.clone();
        double loss = TrainOps.crossEntropy(grad, targets, 1, rows, vocab, 1f);
        assertThat(loss).isEqualTo(f.getAsDouble());
        check("cross-entropy dlogits", logits, grad, f);
    }

    @Test
    void linear() {
        Random r = new Random(6);
        int rows = 3, in = 19, out = 45; // 45 = a 4-vector tile + a vector + a scalar tail at width 8
        float[] x = rand(r, rows * in, 1), w = rand(r, out * in, 1), R = rand(r, rows * out, 1), y = new float[rows * out];
        java.util.function.DoubleSupplier f = () -> {
            float[] wt = new float[w.length];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    wt[i * out + o] = w[o * in + i];
                }
            }
            Kernels.linear(y, 0, x, 0, wt, 0, rows, in, out);
            return dotD(y, R);
        };
        float[] dx = new float[x.length], dw = new float[w.length];
        Kernels.linearBackwardInput(dx, 0, R, 0, w, 0, rows, in, out);
        Kernels.linearBackwardWeight(dw, 0, R, 0, x, 0, rows, in, out);
        check("linear dx", x, dx, f);
        check("linear dw", w, dw, f);
    }

    /** Random weights far enough from init that every path carries gradient. */
    static float[] randomWeights(ParamLayout lay, long seed) {
        Random r = new Random(seed);
        float[] w = new float[lay.size()];
        for (ParamLayout.Slot s : lay.slots()) {
            for (int i = 0; i < s.size(); i++) {
                w[s.offset() + i] = s.isMatrix() ? (float) (r.nextGaussian() * 0.4) : (float) (1 + 0.3 * r.nextGaussian());
            }
        }
        return w;
    }

    private static void wholeModel(ModelShape shape) {
        ParamLayout lay = new ParamLayout(shape);
        float[] w = randomWeights(lay, 7);
        Random r = new Random(8);
        int[][] batch = new int[3][shape.seqLen() + 1];
        for (int[] s : batch) {
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextInt(shape.vocabSize());
            }
        }
        float[] grad = new float[lay.size()];
        double loss;
        try (TrainModel m = new TrainModel(shape, 2)) {
            loss = m.lossAndGradient(w, batch, grad);
            assertThat(m.loss(w, batch)).isEqualTo(loss);
        }
        ReferenceModel ref = new ReferenceModel(shape);
        double[] wd = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            wd[i] = w[i];
        }
        assertThat(loss).isCloseTo(ref.loss(wd, batch), org.assertj.core.data.Offset.offset(1e-5));
        double h = 1e-5;
        double maxAbs = 0;
        for (float g : grad) {
            maxAbs = Math.max(maxAbs, Math.abs(g));
        }
        for (ParamLayout.Slot s : lay.slots()) {
            double worst = 0;
            double norm = 0;
            for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                double keep = wd[i];
                wd[i] = keep + h;
                double up = ref.loss(wd, batch);
                wd[i] = keep - h;
                double down = ref.loss(wd, batch);
                wd[i] = keep;
                double fd = (up - down) / (2 * h);
                worst = Math.max(worst, Math.abs(fd - grad[i]));
                norm = Math.max(norm, Math.abs(fd));
            }
            assertThat(norm).as(s.name() + " carries gradient").isGreaterThan(1e-4);
            assertThat(worst).as(s.name() + ": max |analytic - finite difference|").isLessThan(1e-5 + 1e-4 * maxAbs);
        }
    }

    @Test
    void wholeModelTiedGroupedQuery() {
        wholeModel(new ModelShape(16, 24, 2, 4, 2, 11, 6, true, 10000f, 1e-5f));
    }

    @Test
    void wholeModelUntiedFullHeads() {
        wholeModel(new ModelShape(12, 20, 2, 3, 3, 9, 5, false, 500f, 1e-5f));
    }
}
