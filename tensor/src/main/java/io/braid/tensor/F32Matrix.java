package io.braid.tensor;

import java.lang.foreign.MemorySegment;

/** A matrix of little-endian IEEE float32 values. */
public final class F32Matrix implements Matrix {
    private final MemorySegment data;
    private final int rows;
    private final int cols;

    F32Matrix(MemorySegment data, int rows, int cols) {
        Matrix.checkData(TensorType.F32, data, rows, cols);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public TensorType type() { return TensorType.F32; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public MemorySegment data() { return data; }

    @Override
    public float get(int row, int col) {
        return data.get(LE_FLOAT, ((long) row * cols + col) * 4);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        MemorySegment.copy(data, LE_FLOAT, (long) row * cols * 4, out, outOffset, cols);
    }
}
