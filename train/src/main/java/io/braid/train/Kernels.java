package io.braid.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few dense loops training needs over {@code float[]}: dot, axpy and the three products of a linear
 * layer. Reductions have a fixed order for a given machine (fixed vector species, lanes reduced the same
 * way every call), so a training run is reproducible bit for bit on that machine.
 */
final class Kernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Kernels() {
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            int bound = S.loopBound(n);
            for (; i < bound; i += L) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y += alpha * x. */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (n >= L) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int bound = S.loopBound(n);
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** out[t][o] = W[o] · x[t] for t < rows; W is [outDim x in] at wOff. */
    static void linear(float[] out, int outOff, float[] x, int xOff, float[] w, int wOff, int rows, int in, int outDim) {
        for (int t = 0; t < rows; t++) {
            int xo = xOff + t * in;
            int oo = outOff + t * outDim;
            for (int o = 0; o < outDim; o++) {
                out[oo + o] = dot(w, wOff + o * in, x, xo, in);
            }
        }
    }

    /** dx[t] += W^T dy[t]  (accumulates). */
    static void linearBackwardInput(float[] dx, int dxOff, float[] dy, int dyOff, float[] w, int wOff, int rows, int in, int outDim) {
        for (int t = 0; t < rows; t++) {
            int xo = dxOff + t * in;
            int yo = dyOff + t * outDim;
            for (int o = 0; o < outDim; o++) {
                float g = dy[yo + o];
                if (g != 0f) {
                    axpy(g, w, wOff + o * in, dx, xo, in);
                }
            }
        }
    }

    /** dW[o] += sum_t dy[t][o] x[t]  (accumulates, t ascending). */
    static void linearBackwardWeight(float[] dw, int dwOff, float[] dy, int dyOff, float[] x, int xOff, int rows, int in, int outDim) {
        for (int o = 0; o < outDim; o++) {
            int wo = dwOff + o * in;
            for (int t = 0; t < rows; t++) {
                float g = dy[dyOff + t * outDim + o];
                if (g != 0f) {
                    axpy(g, x, xOff + t * in, dw, wo, in);
                }
            }
        }
    }
}
