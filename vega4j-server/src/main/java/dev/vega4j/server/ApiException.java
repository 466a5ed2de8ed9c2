package dev.vega4j.server;

import dev.vega4j.VegaException;

/**
 * An error the HTTP client caused or must react to: carries the status code (Segmind's documented set: 400, 401, 406,
 * 413, 429, 500, 503, plus 502 when the Hub fails), a short machine-readable reason and a human-readable message naming
 * what was wrong. {@link #of(JobFailure)} is the one place an engine outcome becomes a status.
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

    /**
     * The HTTP answer to an engine outcome, the same for a synchronous request and an async job's status: the client's
     * fault is 400, a full queue 429 with Retry-After, shutting down 503 with Retry-After, a cancelled job 503, a
     * failure on the server's side (model, adapter or weight file, memory, a bug) 500 and a failing Hub 502, each
     * with the failure's message naming the cause.
     */
    static ApiException of(JobFailure f) {
        return switch (f.kind()) {
            case BAD_REQUEST, UNKNOWN_MODEL -> badRequest(f.message());
            case OVERLOADED -> new ApiException(429, "queue_full", f.message(), Math.max(1, f.retryAfterSeconds()));
            case SHUTTING_DOWN -> new ApiException(503, "shutting_down", f.message(), f.retryAfterSeconds());
            case CANCELLED -> new ApiException(503, "cancelled", f.message());
            case MODEL_FAILURE -> new ApiException(500, "internal_error", f.message());
            case UPSTREAM -> new ApiException(502, "upstream_error", f.message());
        };
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
