package io.braid.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The element types Braid's kernels understand, with GGML's numbering and block layouts.
 *
 * <p>Quantized types store elements in blocks: {@link #Q8_0} is an fp16 scale followed by 32 signed
 * bytes (value = q * d); {@link #Q4_0} is an fp16 scale followed by 16 bytes of nibbles, the low nibbles
 * holding elements 0..15 and the high nibbles 16..31 (value = (q - 8) * d).
 */
public enum TensorType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    BF16(30, 1, 2),
    Q8_0(8, 32, 34),
    Q4_0(2, 32, 18);

    private final int ggmlId;
    private final int blockSize;
    private final int blockBytes;

    TensorType(int ggmlId, int blockSize, int blockBytes) {
        this.ggmlId = ggmlId;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The type's id in GGML/GGUF ({@code ggml_type}). */
    public int ggmlId() {
        return ggmlId;
    }

    /** Elements per block (1 for unquantized types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes needed for {@code elements} elements; they must fill whole blocks. */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + " stores elements in blocks of " + blockSize + "; " + elements + " is not a multiple");
        }
        return elements / blockSize * blockBytes;
    }

    /** The type with GGML id {@code id}; unknown ids are rejected naming the supported ones. */
    public static TensorType ofGgmlId(int id) {
        for (TensorType t : values()) {
            if (t.ggmlId == id) {
                return t;
            }
        }
        throw new UnsupportedTensorTypeException("unsupported tensor type id " + id + " (supported: "
                + Arrays.stream(values()).map(t -> t + "=" + t.ggmlId).collect(Collectors.joining(", ")) + ")");
    }
}
