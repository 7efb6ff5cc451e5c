package io.braid.tensor;

/**
 * Plain scalar references for {@link Compute}'s deterministic kernels. They define the exact result the
 * vector kernels must reproduce bit for bit, so they are written for clarity, not speed. Java specifies
 * float multiplication, addition and FMA exactly, so each order below gives the same bits on every machine.
 *
 * <p><b>Float matrices (F32, F16, BF16)</b> follow llama2.c's {@code run.c}: each output is the sequential
 * sum {@code s = s + w[j] * x[j]} (product rounded, then sum rounded), j ascending — exactly
 * {@link Matrix#dotScalar}. This keeps llama2.c models within run.c's own rounding of its logits.
 *
 * <p><b>Block-quantized matrices (Q8_0, Q4_0)</b> have no such reference and use the faster 16-lane order:
 * element j is accumulated with a fused multiply-add into lane {@code j % 16}, j ascending, where the weight
 * is its dequantized value ({@code (float) q * d}); the lanes are then summed in a fixed tree:
 * {@code h8[i] = l[i] + l[i+8]}, {@code h4[i] = h8[i] + h8[i+4]}, {@code h2[i] = h4[i] + h4[i+2]},
 * {@code r = h2[0] + h2[1]}.
 */
public final class Reference {
    /** Logical lane count of the quantized types' accumulation. */
    public static final int LANES = 16;

    private Reference() {
    }

    /** Whether matrices of type {@code t} use the sequential (run.c) order rather than the 16-lane order. */
    public static boolean isSequential(TensorType t) {
        return t == TensorType.F32 || t == TensorType.F16 || t == TensorType.BF16;
    }

    /** The deterministic dot product of {@link Compute#dot}: sequential, {@code s = s + a[j] * b[j]}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int j = 0; j < n; j++) {
            s += a[aOff + j] * b[bOff + j];
        }
        return s;
    }

    /** The 16-lane dot product used for quantized matrices (see the class comment). */
    public static float lanes16Dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float[] lanes = new float[LANES];
        for (int j = 0; j < n; j++) {
            lanes[j % LANES] = Math.fma(a[aOff + j], b[bOff + j], lanes[j % LANES]);
        }
        return reduce(lanes);
    }

    /** The fixed tree sum of 16 lanes described in the class comment. */
    public static float reduce(float[] l) {
        float h0 = l[0] + l[8], h1 = l[1] + l[9], h2 = l[2] + l[10], h3 = l[3] + l[11];
        float h4 = l[4] + l[12], h5 = l[5] + l[13], h6 = l[6] + l[14], h7 = l[7] + l[15];
        float q0 = h0 + h4, q1 = h1 + h5, q2 = h2 + h6, q3 = h3 + h7;
        float p0 = q0 + q2, p1 = q1 + q3;
        return p0 + p1;
    }

    /** The deterministic matmul: {@code out[b*rows + r] = dot(row r, x[b])} in the order of w's type. */
    public static void matmul(Matrix w, float[] x, int batch, float[] out) {
        int rows = w.rows(), cols = w.cols();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            for (int b = 0; b < batch; b++) {
                out[b * rows + r] = isSequential(w.type()) ? dot(row, 0, x, b * cols, cols)
                        : lanes16Dot(row, 0, x, b * cols, cols);
            }
        }
    }

    /** {@code y[i] = y[i] + alpha * x[i]} (product rounded, then sum): what every {@link Compute#axpy} does. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
