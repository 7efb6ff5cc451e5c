package io.braid.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML's Q-block layout, shared by {@link Q8_0Matrix} and {@link Q4_0Matrix}: each row is a run of
 * 32-element blocks, each block an fp16 scale {@code d} followed by its quants.
 */
final class QBlocks {
    /** Elements per block. */
    static final int BLOCK = 32;
    /** Bytes of the fp16 scale that starts every block; the quants follow it. */
    static final int SCALE_BYTES = 2;

    private QBlocks() {
    }

    /** Byte offset of the block holding element {@code (row, col)} of a {@code cols}-wide matrix. */
    static long offset(int row, int col, int cols, int blockBytes) {
        return ((long) row * (cols / BLOCK) + col / BLOCK) * blockBytes;
    }

    /** The scale {@code d} of the block at byte offset {@code block}. */
    static float scale(MemorySegment data, long block) {
        return Float.float16ToFloat(data.get(Matrix.LE_SHORT, block));
    }
}
