package dev.vega4j;

/**
 * Base of every error a user can cause (bad file, bad config, bad parameter): its message is written for the user and
 * is printed as one line by the CLI and as a JSON message by the server.
 */
public class VegaException extends RuntimeException {
    public VegaException(String message) {
        super(message);
    }

    public VegaException(String message, Throwable cause) {
        super(message, cause);
    }
}
