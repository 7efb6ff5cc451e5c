package io.braid.model.llama;

/** One tensor of a model file: name, type name (e.g. {@code Q8_0}), element count and bytes in the file. */
public record TensorSummary(String name, String type, long elements, long bytes) {
}
