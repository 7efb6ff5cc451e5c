package io.braid.tensor;

/** Per-thread kernel state (scratch buffers) and the kernel loops. */
final class Kernels {
    static final int ROW_TILE = 4;
    private final boolean deterministic;
    private float[] row = new float[0];
    private final float[] lanes = new float[Reference.LANES];

    Kernels(boolean deterministic) {
        this.deterministic = deterministic;
    }

    void matmul(Matrix w, float[] x, int xOff, int batch, float[] out, int outOff, int from, int to) {
        int rows = w.rows(), cols = w.cols();
        if (row.length < cols) {
            row = new float[cols];
        }
        for (int r = from; r < to; r++) {
            w.dequantizeRow(r, row, 0);
            for (int b = 0; b < batch; b++) {
                out[outOff + b * rows + r] = deterministic ? dotDeterministic(row, 0, x, xOff + b * cols, cols)
                        : dotFast(row, 0, x, xOff + b * cols, cols);
            }
        }
    }

    static float dotDeterministic(float[] a, int aOff, float[] b, int bOff, int n) {
        return Reference.dot(a, aOff, b, bOff, n);
    }

    static float dotFast(float[] a, int aOff, float[] b, int bOff, int n) {
        return Reference.dot(a, aOff, b, bOff, n);
    }

    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        Reference.axpy(alpha, x, xOff, y, yOff, n);
    }
}
