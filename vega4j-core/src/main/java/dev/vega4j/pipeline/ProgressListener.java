package dev.vega4j.pipeline;

/**
 * Told about each finished denoising step (and the phases around them). Steps are counted as diffusers' progress bar
 * counts them: {@code num_inference_steps} of them whatever the scheduler's UNet calls per step (Heun: two; PNDM: one
 * extra), for img2img/inpainting the steps the strength leaves ({@link DenoisingSteps}). Returning normally continues;
 * a listener (or anyone holding the generation's {@link Cancellation}) can stop the run, which is checked after every
 * UNet call.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = event -> {};

    void onProgress(ProgressEvent event);

    /**
     * Every how many denoising steps this listener wants a live preview ({@link #onPreview}); 0 (the default) for
     * none, so nothing is rendered. The last step always gets one when previews are on.
     */
    default int previewInterval() {
        return 0;
    }

    /** A live preview of the denoised estimate after a step (see {@link LatentPreviewer}); the run continues after. */
    default void onPreview(Preview preview) {}

    /** A small picture of the image as it forms, after denoising step {@code step} of {@code total}. */
    record Preview(int step, int total, java.awt.image.BufferedImage image) {}

    /** One step or phase: {@code step} of {@code total} (1-based), time since the generation started. */
    record ProgressEvent(Phase phase, int step, int total, long elapsedNanos) {
        /** Steps per second so far (0 before the first step). */
        public double stepsPerSecond() {
            return step == 0 || elapsedNanos == 0 ? 0 : step / (elapsedNanos / 1e9);
        }
    }

    enum Phase { ENCODE_PROMPT, DENOISE, DECODE, DONE }
}
