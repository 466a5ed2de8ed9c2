package dev.vega4j.server;

import dev.vega4j.VegaException;

/**
 * An error the HTTP client caused or must react to: carries the status code (Segmind's documented set: 400, 401, 406,
 * 413, 429, 500, 503), a short machine-readable reason and a human-readable message naming what was wrong.
 */
public final class ApiException extends VegaException {
    private final int status;
    private final String reason;
    private final int retryAfterSeconds;

    public ApiException(int status, String reason, String message) {
        this(status, reason, message, 0);
    }

    public ApiException(int status, String reason, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** Seconds for the Retry-After header; 0 = none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
