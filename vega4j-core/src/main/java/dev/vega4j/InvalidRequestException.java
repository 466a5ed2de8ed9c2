package dev.vega4j;

/**
 * The caller's request is wrong, not the model or the machine: a size that is no multiple of 8, a strength that leaves
 * no denoising step, an unknown scheduler name, a prompt that does not parse, a step count the scheduler cannot take.
 * Asking again with other values can succeed; asking again with the same ones never will. A server answers it with
 * 400; every other {@link VegaException} (an unreadable weight or adapter file, an unreachable Hub, a failed internal
 * check) is the server's side and never blamed on the client.
 */
public class InvalidRequestException extends VegaException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
