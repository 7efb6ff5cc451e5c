package io.braid.gateway.inference;

/** A malformed request (negative max_tokens, token id outside the vocabulary...). HTTP 400. */
public final class InvalidRequestException extends InferenceException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
