package dev.vega4j.spark;

import dev.vega4j.InvalidRequestException;

/** A row that cannot be generated as written; the job reports it in the results and goes on. */
public final class BadRowException extends InvalidRequestException {
    public BadRowException(String message) {
        super(message);
    }
}
