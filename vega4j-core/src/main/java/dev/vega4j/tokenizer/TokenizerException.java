package dev.vega4j.tokenizer;

import dev.vega4j.VegaException;

/** A tokenizer folder that cannot be loaded (missing or malformed vocab.json, merges.txt or config). */
public final class TokenizerException extends VegaException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
