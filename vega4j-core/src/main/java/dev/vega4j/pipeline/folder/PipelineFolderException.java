package dev.vega4j.pipeline.folder;

import dev.vega4j.VegaException;

/** A diffusers pipeline folder that is incomplete or malformed; the message names the file and what to do. */
public final class PipelineFolderException extends VegaException {
    public PipelineFolderException(String message) {
        super(message);
    }

    public PipelineFolderException(String message, Throwable cause) {
        super(message, cause);
    }
}
