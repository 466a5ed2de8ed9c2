package dev.vega4j.server.store;

import dev.vega4j.VegaException;

/** The store could not be reached or failed a statement: the server's side, answered with 503 and retried. */
public final class StoreUnavailableException extends VegaException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
