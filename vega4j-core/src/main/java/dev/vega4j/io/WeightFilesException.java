package dev.vega4j.io;

import dev.vega4j.VegaException;

/** A model folder without usable weights; the message names the folder, the files it has and what to do. */
public final class WeightFilesException extends VegaException {
    private final boolean noWeights;

    public WeightFilesException(String message, boolean noWeights) {
        super(message);
        this.noWeights = noWeights;
    }

    /** True when the folder has no weights file of any kind (not even a pickle or another variant). */
    public boolean noWeights() {
        return noWeights;
    }
}
