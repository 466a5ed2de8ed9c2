package dev.vega4j.prompt;

import dev.vega4j.VegaException;

/** A weighted prompt that cannot be parsed (an emphasis weight that is not a number). */
public class PromptSyntaxException extends VegaException {
    public PromptSyntaxException(String message) {
        super(message);
    }
}
