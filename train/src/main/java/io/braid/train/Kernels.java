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

    /**
     * C[m][n] += Σ_k A(m,k)·B[k][n] for m &lt; M, n &lt; N, k ascending for every element (so results do not
     * depend on tiling). A(m,k) = a[aOff + m·aRs + k·aCs] (strides allow a transposed A); B and C are
     * row-major with leading dimensions ldb and ldc. Register tiles of 2 rows x 4 vectors keep the
     * accumulators in registers across the k loop.
     */
    static void gemmAcc(float[] c, int cOff, int ldc, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int ldb,
                        int m, int n, int k) {
        int n0 = 0;
        int wide = 4 * L;
        for (; n0 + wide <= n; n0 += wide) {
            int r = 0;
            for (; r + 1 < m; r += 2) {
                int c0 = cOff + r * ldc + n0;
                int c1 = c0 + ldc;
                FloatVector a00 = FloatVector.fromArray(S, c, c0);
                FloatVector a01 = FloatVector.fromArray(S, c, c0 + L);
                FloatVector a02 = FloatVector.fromArray(S, c, c0 + 2 * L);
                FloatVector a03 = FloatVector.fromArray(S, c, c0 + 3 * L);
                FloatVector a10 = FloatVector.fromArray(S, c, c1);
                FloatVector a11 = FloatVector.fromArray(S, c, c1 + L);
                FloatVector a12 = FloatVector.fromArray(S, c, c1 + 2 * L);
                FloatVector a13 = FloatVector.fromArray(S, c, c1 + 3 * L);
                int ar0 = aOff + r * aRs;
                int ar1 = ar0 + aRs;
                for (int kk = 0; kk < k; kk++) {
                    int bo = bOff + kk * ldb + n0;
                    FloatVector b0 = FloatVector.fromArray(S, b, bo);
                    FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
                    FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
                    FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
                    FloatVector x0 = FloatVector.broadcast(S, a[ar0 + kk * aCs]);
                    FloatVector x1 = FloatVector.broadcast(S, a[ar1 + kk * aCs]);
                    a00 = b0.fma(x0, a00);
                    a01 = b1.fma(x0, a01);
                    a02 = b2.fma(x0, a02);
                    a03 = b3.fma(x0, a03);
                    a10 = b0.fma(x1, a10);
                    a11 = b1.fma(x1, a11);
                    a12 = b2.fma(x1, a12);
                    a13 = b3.fma(x1, a13);
                }
                a00.intoArray(c, c0);
                a01.intoArray(c, c0 + L);
                a02.intoArray(c, c0 + 2 * L);
                a03.intoArray(c, c0 + 3 * L);
                a10.intoArray(c, c1);
                a11.intoArray(c, c1 + L);
                a12.intoArray(c, c1 + 2 * L);
                a13.intoArray(c, c1 + 3 * L);
            }
            for (; r < m; r++) {
                int c0 = cOff + r * ldc + n0;
                FloatVector a00 = FloatVector.fromArray(S, c, c0);
                FloatVector a01 = FloatVector.fromArray(S, c, c0 + L);
                FloatVector a02 = FloatVector.fromArray(S, c, c0 + 2 * L);
                FloatVector a03 = FloatVector.fromArray(S, c, c0 + 3 * L);
                int ar0 = aOff + r * aRs;
                for (int kk = 0; kk < k; kk++) {
                    int bo = bOff + kk * ldb + n0;
                    FloatVector x0 = FloatVector.broadcast(S, a[ar0 + kk * aCs]);
                    a00 = FloatVector.fromArray(S, b, bo).fma(x0, a00);
                    a01 = FloatVector.fromArray(S, b, bo + L).fma(x0, a01);
                    a02 = FloatVector.fromArray(S, b, bo + 2 * L).fma(x0, a02);
                    a03 = FloatVector.fromArray(S, b, bo + 3 * L).fma(x0, a03);
                }
                a00.intoArray(c, c0);
                a01.intoArray(c, c0 + L);
                a02.intoArray(c, c0 + 2 * L);
                a03.intoArray(c, c0 + 3 * L);
            }
        }
        for (; n0 + L <= n; n0 += L) {
            for (int r = 0; r < m; r++) {
                int c0 = cOff + r * ldc + n0;
                FloatVector acc = FloatVector.fromArray(S, c, c0);
                int ar0 = aOff + r * aRs;
                for (int kk = 0; kk < k; kk++) {
                    acc = FloatVector.fromArray(S, b, bOff + kk * ldb + n0).fma(FloatVector.broadcast(S, a[ar0 + kk * aCs]), acc);
                }
                acc.intoArray(c, c0);
            }
        }
        for (; n0 < n; n0++) {
            for (int r = 0; r < m; r++) {
                int ci = cOff + r * ldc + n0;
                float acc = c[ci];
                int ar0 = aOff + r * aRs;
                for (int kk = 0; kk < k; kk++) {
                    acc = Math.fma(b[bOff + kk * ldb + n0], a[ar0 + kk * aCs], acc);
                }
                c[ci] = acc;
            }
        }
    }

    /** out[t][o] = Σ_i x[t][i]·W[o][i], from the transposed weights wt = Wᵀ ([in x outDim]). */
    static void linear(float[] out, int outOff, float[] x, int xOff, float[] wt, int wtOff, int rows, int in, int outDim) {
        java.util.Arrays.fill(out, outOff, outOff + rows * outDim, 0f);
        gemmAcc(out, outOff, outDim, x, xOff, in, 1, wt, wtOff, outDim, rows, outDim, in);
    }

    /** dx[t] += Wᵀ dy[t]  (accumulates); W is [outDim x in]. */
    static void linearBackwardInput(float[] dx, int dxOff, float[] dy, int dyOff, float[] w, int wOff, int rows, int in, int outDim) {
        gemmAcc(dx, dxOff, in, dy, dyOff, outDim, 1, w, wOff, in, rows, in, outDim);
    }

    /** dW[o] += Σ_t dy[t][o]·x[t]  (accumulates, t ascending). */
    static void linearBackwardWeight(float[] dw, int dwOff, float[] dy, int dyOff, float[] x, int xOff, int rows, int in, int outDim) {
        gemmAcc(dw, dwOff, in, dy, dyOff, 1, outDim, x, xOff, in, outDim, in, rows);
    }

    /** Writes the transpose of every matrix of {@code layout} from {@code w} into {@code wt} (same offsets). */
    static void transposeMatrices(ParamLayout layout, float[] w, float[] wt) {
        for (ParamLayout.Slot s : layout.slots()) {
            int off = s.offset();
            int rows = s.rows();
            int cols = s.cols();
            if (rows == 1) {
                continue;
            }
            for (int r = 0; r < rows; r++) {
                int src = off + r * cols;
                for (int col = 0; col < cols; col++) {
                    wt[off + col * rows + r] = w[src + col];
                }
            }
        }
    }
}
