package io.braid.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A matrix in GGML Q8_0 blocks: fp16 scale d, then 32 signed bytes q; value = q * d. */
public final class Q8_0Matrix implements Matrix {
    static final int BLOCK_BYTES = 34;
    private static final int BLOCK = QBlocks.BLOCK;
    private final MemorySegment data;
    private final int rows;
    private final int cols;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        Matrix.checkData(TensorType.Q8_0, data, rows, cols);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public TensorType type() { return TensorType.Q8_0; }
    @Override public int rows() { return rows; }
    @Override public int cols() { return cols; }
    @Override public MemorySegment data() { return data; }

    private long blockOffset(int row, int col) {
        return QBlocks.offset(row, col, cols, BLOCK_BYTES);
    }

    @Override
    public float get(int row, int col) {
        long b = blockOffset(row, col);
        float d = QBlocks.scale(data, b);
        return data.get(ValueLayout.JAVA_BYTE, b + QBlocks.SCALE_BYTES + col % BLOCK) * d;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        for (int blk = 0; blk < cols / BLOCK; blk++) {
            long b = blockOffset(row, blk * BLOCK);
            float d = QBlocks.scale(data, b);
            for (int i = 0; i < BLOCK; i++) {
                out[outOffset + blk * BLOCK + i] = data.get(ValueLayout.JAVA_BYTE, b + QBlocks.SCALE_BYTES + i) * d;
            }
        }
    }
}
