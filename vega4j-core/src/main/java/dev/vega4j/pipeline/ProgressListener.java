package dev.vega4j.pipeline;

/**
 * Told about each finished denoising step (and the phases around them). Returning normally continues; a listener
 * (or anyone holding the generation's {@link Cancellation}) can stop the run between steps.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = event -> {};

    void onProgress(ProgressEvent event);

    /** One step or phase: {@code step} of {@code total} (1-based), time since the generation started. */
    record ProgressEvent(Phase phase, int step, int total, long elapsedNanos) {
        /** Steps per second so far (0 before the first step). */
        public double stepsPerSecond() {
            return step == 0 || elapsedNanos == 0 ? 0 : step / (elapsedNanos / 1e9);
        }
    }

    enum Phase { ENCODE_PROMPT, DENOISE, DECODE, DONE }
}
