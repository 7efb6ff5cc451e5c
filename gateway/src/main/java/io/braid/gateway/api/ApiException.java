package io.braid.gateway.api;

/**
 * A request that cannot be served, carrying the HTTP status and OpenAI's error {@code type} and {@code code}.
 * Thrown anywhere below a handler; {@link OpenAiApi} turns it into {@code {"error":{"message","type","code"}}}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;

    public ApiException(int status, String type, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    /** 400: the request is malformed or asks for something impossible; {@code code} names the parameter. */
    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, "invalid_request_error", code, message);
    }

    /** 401: missing or unknown API key. */
    public static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", "invalid_api_key", message);
    }

    /** 402: the account cannot cover the worst-case cost of the request. */
    public static ApiException insufficientFunds(String message) {
        return new ApiException(402, "insufficient_funds", "insufficient_funds", message);
    }

    /** 404: no such route, model or object. */
    public static ApiException notFound(String code, String message) {
        return new ApiException(404, "invalid_request_error", code, message);
    }

    /** 429: this gateway is serving as many requests as it admits; retrying later helps. */
    public static ApiException tooManyRequests(String message) {
        return new ApiException(429, "rate_limit_error", "too_many_requests", message);
    }

    /** 503: the network cannot serve the request now (e.g. no node covers a span). */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "server_error", "no_capacity", message);
    }
}
