package io.braid.tensor;

import java.lang.foreign.MemorySegment;

/** A matrix of little-endian IEEE binary16 values. */
public final class F16Matrix implements Matrix {
    private final MemorySegment data;
    private final int rows;
    private final int cols;

    F16Matrix(MemorySegment data, int rows, int cols) {
        Matrix.checkData(TensorType.F16, data, rows, cols);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public TensorType type() { return TensorType.F16; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public MemorySegment data() { return data; }

    @Override
    public float get(int row, int col) {
        return Float.float16ToFloat(data.get(LE_SHORT, ((long) row * cols + col) * 2));
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        long base = (long) row * cols * 2;
        for (int j = 0; j < cols; j++) {
            out[outOffset + j] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * j));
        }
    }
}
