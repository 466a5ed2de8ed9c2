package dev.vega4j.hub;

import dev.vega4j.VegaException;

/** A Hub or cache problem, with a message that tells the user what to do; {@link #reason()} lets callers map it. */
public final class HubException extends VegaException {

    /** What went wrong, coarse enough for a server to pick an HTTP status. */
    public enum Reason {
        /** Not a repo id nor an existing path. */
        INVALID,
        /** The Hub could not be reached. */
        NETWORK,
        /** 401/403: a token is missing, wrong, or the repo is gated. */
        AUTH,
        /** Repo, revision or file does not exist. */
        NOT_FOUND,
        /** Offline mode and the files are not in the cache. */
        NOT_CACHED,
        /** The server answered with something unexpected (5xx, missing headers, bad JSON). */
        SERVER,
        /** A downloaded file does not match its size or checksum, or the cache cannot be written. */
        STORAGE
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
