package io.braid.tensor;

/** A tensor type (GGML id) this engine cannot compute with; the message names the id and the supported types. */
public final class UnsupportedTensorTypeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedTensorTypeException(String message) {
        super(message);
    }
}
