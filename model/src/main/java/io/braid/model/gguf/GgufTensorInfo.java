package io.braid.model.gguf;

import io.braid.tensor.TensorType;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a GGUF file. {@code shape} is in GGUF order: {@code shape[0]} (ne[0]) is the contiguous
 * dimension — for a weight matrix the input dimension (columns), {@code shape[1]} the output dimension (rows).
 * {@code offset} is relative to the start of the file's tensor data section.
 */
public record GgufTensorInfo(String name, TensorType type, long[] shape, long offset) {

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
    }

    /** A copy of the shape (ne[0], ne[1], ...). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** ne[i], or 1 beyond the rank (ggml's convention). */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    /** The product of the dimensions. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of this tensor's data. */
    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && t.type == type
                && Arrays.equals(t.shape, shape) && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + type + " @" + offset;
    }
}
