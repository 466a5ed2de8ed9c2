package dev.vega4j.prompt;

import dev.vega4j.InvalidRequestException;

/** A weighted prompt that cannot be parsed (an emphasis weight that is not a number): the request's fault. */
public class PromptSyntaxException extends InvalidRequestException {
    public PromptSyntaxException(String message) {
        super(message);
    }
}
