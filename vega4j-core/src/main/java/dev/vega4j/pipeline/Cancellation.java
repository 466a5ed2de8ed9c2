package dev.vega4j.pipeline;

import dev.vega4j.VegaException;

/** A flag a caller sets to stop a generation; the pipeline checks it between steps. */
public final class Cancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link CancelledException} when cancelled (called by the pipeline between steps). */
    public void check() {
        if (cancelled) {
            throw new CancelledException();
        }
    }

    /** The generation was cancelled by its caller. */
    public static final class CancelledException extends VegaException {
        public CancelledException() {
            super("generation cancelled");
        }
    }
}
