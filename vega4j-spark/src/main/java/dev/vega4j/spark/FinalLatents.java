package dev.vega4j.spark;

import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.tensor.Tensor;

/**
 * The denoised latents of one generation ({@code final_latents}, before the VAE), what layer-level distillation
 * trains on; the run stops there, so no VAE decode is paid for.
 */
record FinalLatents(Tensor latents, String scheduler, int width, int height) {
    /** The tensor name in a latents file (shape 1, C, h, w). */
    static final String TENSOR = "latents";

    static FinalLatents of(DiffusionPipeline pipe, GenerationRequest request) {
        Tensor[] fin = new Tensor[1];
        var scheduler = pipe.schedulers().create(request.scheduler());
        try {
            pipe.run(request, request.seed(), scheduler, ProgressListener.NONE, new Cancellation(), (key, value) -> {
                if (key.equals("final_latents")) {
                    fin[0] = value.copy();
                    throw new Stop();
                }
            });
        } catch (Stop expected) {
            // the latents are all that is needed
        }
        if (fin[0] == null) {
            throw new IllegalStateException("the pipeline reported no final latents");
        }
        int vsf = pipe.vae().scaleFactor();
        return new FinalLatents(fin[0], scheduler.name(), fin[0].dim(3) * vsf, fin[0].dim(2) * vsf);
    }

    /** Ends the run right after the final latents (control flow, no stack trace). */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }
}
