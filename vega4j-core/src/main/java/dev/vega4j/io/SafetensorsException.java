package dev.vega4j.io;

import dev.vega4j.VegaException;

/** A safetensors file that cannot be read as the format specifies; the message names the file and the problem. */
public final class SafetensorsException extends VegaException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
