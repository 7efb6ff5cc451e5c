package io.braid.gateway.inference;

/** No model with that id is served by this gateway. HTTP 404. */
public final class UnknownModelException extends InferenceException {
    public UnknownModelException(String message) {
        super(message);
    }
}
