package io.braid.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A matrix in GGML Q4_0 blocks: fp16 scale d, then 16 bytes whose low nibbles are elements 0..15 and
 * high nibbles elements 16..31; value = (q - 8) * d.
 */
public final class Q4_0Matrix implements Matrix {
    static final int BLOCK_BYTES = 18;
    private static final int BLOCK = QBlocks.BLOCK;
    private final MemorySegment data;
    private final int rows;
    private final int cols;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        Matrix.checkData(TensorType.Q4_0, data, rows, cols);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public TensorType type() { return TensorType.Q4_0; }
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
        int i = col % BLOCK;
        int q = data.get(ValueLayout.JAVA_BYTE, b + QBlocks.SCALE_BYTES + (i & 15));
        int nib = i < 16 ? q & 0xF : (q >> 4) & 0xF;
        return (nib - 8) * d;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int outOffset) {
        for (int blk = 0; blk < cols / BLOCK; blk++) {
            long b = blockOffset(row, blk * BLOCK);
            float d = QBlocks.scale(data, b);
            int o = outOffset + blk * BLOCK;
            for (int i = 0; i < 16; i++) {
                int q = data.get(ValueLayout.JAVA_BYTE, b + QBlocks.SCALE_BYTES + i);
                out[o + i] = ((q & 0xF) - 8) * d;
                out[o + 16 + i] = (((q >> 4) & 0xF) - 8) * d;
            }
        }
    }
}
