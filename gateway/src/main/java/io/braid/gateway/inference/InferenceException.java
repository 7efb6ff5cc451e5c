package io.braid.gateway.inference;

/**
 * A request the network cannot serve, with a one-line message meant for the API client. The subclass
 * tells the HTTP status: {@link InvalidRequestException} and {@link ContextOverflowException} → 400,
 * {@link UnknownModelException} → 404, {@link NoCapacityException} → 503 (429 when
 * {@link NoCapacityException#busy()}).
 */
public sealed abstract class InferenceException extends RuntimeException
        permits InvalidRequestException, ContextOverflowException, UnknownModelException, NoCapacityException {
    protected InferenceException(String message) {
        super(message);
    }

    protected InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
