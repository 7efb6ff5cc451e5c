package io.braid.tensor;

/**
 * Plain scalar references for {@link Compute}'s deterministic kernels. They define the exact result the
 * vector kernels must reproduce bit for bit, so they are written for clarity, not speed.
 *
 * <p>The deterministic dot product of length n uses 16 logical float lanes: element j is accumulated into
 * lane {@code j % 16} with a fused multiply-add, in increasing j. The 16 lanes are then summed in a fixed
 * tree: {@code h8[i] = l[i] + l[i+8]}, {@code h4[i] = h8[i] + h8[i+4]}, {@code h2[i] = h4[i] + h4[i+2]},
 * {@code r = h2[0] + h2[1]}. Java specifies FMA and float addition exactly, so this order gives the same
 * bits on every machine, whatever its vector width.
 */
public final class Reference {
    /** Logical lane count of the deterministic accumulation. */
    public static final int LANES = 16;

    private Reference() {
    }

    /** The deterministic dot product of {@code a[aOff..aOff+n)} and {@code b[bOff..bOff+n)}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
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

    /**
     * The deterministic matmul: {@code out[b*rows + r] = dot(dequantized row r, x[b])}. A weight is
     * dequantized exactly as {@link Matrix#dequantizeRow} does (e.g. {@code (float) q * d} for Q8_0).
     */
    public static void matmul(Matrix w, float[] x, int batch, float[] out) {
        int rows = w.rows(), cols = w.cols();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantizeRow(r, row, 0);
            for (int b = 0; b < batch; b++) {
                out[b * rows + r] = dot(row, 0, x, b * cols, cols);
            }
        }
    }

    /** {@code y[i] = fma(alpha, x[i], y[i])}: the rounding every {@link Compute#axpy} mode uses. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }
}
