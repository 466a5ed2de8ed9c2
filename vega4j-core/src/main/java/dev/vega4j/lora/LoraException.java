package dev.vega4j.lora;

import dev.vega4j.VegaException;

/** A LoRA adapter that cannot be read or does not fit the model (unknown keys, wrong shapes, unsupported variant). */
public class LoraException extends VegaException {
    public LoraException(String message) {
        super(message);
    }
}
