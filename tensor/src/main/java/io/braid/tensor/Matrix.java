package io.braid.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A row-major {@code [rows x cols]} weight matrix over a {@link MemorySegment} (typically a slice of a
 * memory-mapped GGUF file; never copied). {@code cols} is the contiguous (input) dimension, GGUF
 * {@code ne[0]}; {@code rows} is the output dimension, {@code ne[1]}. Rows of quantized types are whole
 * blocks, so {@code cols} must be a multiple of the type's block size.
 *
 * <p>The fast kernels live in {@link Compute}; the methods here are the plain scalar accessors and
 * references that the kernels are tested against.
 */
public sealed interface Matrix permits F32Matrix, F16Matrix, BF16Matrix, Q8_0Matrix, Q4_0Matrix {

    /** Little-endian layouts: GGUF is little-endian whatever the host is. */
    ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    TensorType type();

    int rows();

    int cols();

    /** The backing bytes, exactly {@code type().byteSize(rows * cols)} long, in GGML's layout. */
    MemorySegment data();

    /** Element {@code (row, col)} as a float. */
    float get(int row, int col);

    /** Writes the {@code cols()} values of {@code row} to {@code out[outOffset..]}. */
    void dequantizeRow(int row, float[] out, int outOffset);

    /** Bytes of one row in {@link #data()}. */
    default long rowBytes() {
        return type().byteSize(cols());
    }

    /**
     * The plain sequential scalar dot product of {@code row} with {@code x[xOffset..xOffset+cols)}
     * ({@code sum += w[j] * x[j]} in column order): the reference the fast kernels are checked against.
     */
    default float dotScalar(int row, float[] x, int xOffset) {
        int n = cols();
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            sum += get(row, j) * x[xOffset + j];
        }
        return sum;
    }

    /**
     * Wraps {@code data} (no copy) as a {@code [rows x cols]} matrix of type {@code t}.
     *
     * @throws IllegalArgumentException if the shape does not fit the type's blocks or the segment's size
     */
    static Matrix of(TensorType t, MemorySegment data, int rows, int cols) {
        return switch (t) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
        };
    }

    /**
     * Encodes {@code values} ({@code [rows x cols]} row-major) as type {@code t} with GGML's reference
     * quantizers into a new segment of {@code arena}. For tests and synthetic models.
     */
    static Matrix quantize(TensorType t, float[] values, int rows, int cols, Arena arena) {
        long n = checkShape(t, rows, cols);
        if (values.length < n) {
            throw new IllegalArgumentException("need " + n + " values for a " + rows + "x" + cols + " matrix, got "
                    + values.length);
        }
        MemorySegment seg = arena.allocate(t.byteSize(n), 16);
        Quantizers.encode(t, values, 0, seg, 0, n);
        return of(t, seg, rows, cols);
    }

    /** Validates a shape for type {@code t}; returns the element count. */
    static long checkShape(TensorType t, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive, got " + rows + "x" + cols);
        }
        if (cols % t.blockSize() != 0) {
            throw new IllegalArgumentException(t + " rows are blocks of " + t.blockSize() + " elements; cols="
                    + cols + " is not a multiple");
        }
        return (long) rows * cols;
    }

    /** Checks that {@code data} holds exactly a {@code [rows x cols]} matrix of {@code t}. */
    static void checkData(TensorType t, MemorySegment data, int rows, int cols) {
        long n = checkShape(t, rows, cols);
        long need = t.byteSize(n);
        if (data.byteSize() != need) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " " + t + " matrix needs " + need
                    + " bytes, the segment has " + data.byteSize());
        }
    }
}
