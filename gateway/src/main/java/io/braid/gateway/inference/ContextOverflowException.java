package io.braid.gateway.inference;

/** prompt + max_tokens (or the prompt alone) exceeds the model's context window. HTTP 400. */
public final class ContextOverflowException extends InferenceException {
    private final int contextLength;

    public ContextOverflowException(String message, int contextLength) {
        super(message);
        this.contextLength = contextLength;
    }

    /** The model's context window in tokens. */
    public int contextLength() {
        return contextLength;
    }
}
