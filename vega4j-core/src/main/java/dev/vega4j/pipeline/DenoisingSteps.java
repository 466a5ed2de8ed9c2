package dev.vega4j.pipeline;

/**
 * Counts denoising steps the way diffusers' pipelines advance their progress bar, so that progress reads
 * "step k of num_inference_steps" whatever the scheduler does per step (diffusers 0.26.3
 * {@code pipeline_stable_diffusion(_xl)(_img2img|_inpaint).py}, denoising loop):
 * {@code num_warmup_steps = max(len(timesteps) - num_inference_steps * scheduler.order, 0)}, and UNet call {@code i}
 * (0-based) completes a step when {@code i == len(timesteps) - 1 or ((i + 1) > num_warmup_steps and
 * (i + 1) % scheduler.order == 0)}. Heun and KDPM2 (order 2, two calls per step) and PNDM (one extra PLMS warm-up
 * call, or twelve Runge-Kutta calls) so still count {@code num_inference_steps}.
 *
 * @param total the steps to report: {@code num_inference_steps}, for img2img/inpainting the steps the strength leaves
 *              ({@link #run})
 * @param calls {@code len(timesteps)}: UNet calls in the loop
 * @param order {@code scheduler.order}
 */
record DenoisingSteps(int total, int calls, int order) {

    int warmup() {
        return Math.max(calls - total * order, 0);
    }

    /** Whether UNet call {@code i} (0-based) completes a denoising step. */
    boolean completesStep(int i) {
        return i == calls - 1 || (i + 1 > warmup() && (i + 1) % order == 0);
    }

    /**
     * diffusers' img2img {@code get_timesteps}: {@code t_start = max(n - min(int(n * strength), n), 0)} steps are
     * skipped; 0 without an init image.
     */
    static int skipped(GenerationRequest request) {
        if (request.initImage() == null) {
            return 0;
        }
        int n = request.steps();
        int initTimestep = Math.min((int) (n * request.strength()), n);
        return Math.max(n - initTimestep, 0);
    }

    /** The denoising steps a request runs: {@code num_inference_steps}, less those img2img skips. */
    static int run(GenerationRequest request) {
        return request.steps() - skipped(request);
    }
}
