package dev.vega4j.pipeline;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.StepOutput;
import dev.vega4j.tensor.Tensor;

/**
 * The denoising loop of diffusers 0.26.3's Stable Diffusion (XL) pipelines ({@code __call__}, "8. Denoising loop"),
 * the one place it is written down: per UNet call, the model input ({@code cat([latents] * 2)} under classifier-free
 * guidance, then {@code scheduler.scale_model_input}), the noise prediction, guidance (and guidance_rescale),
 * {@code scheduler.step} with the run's generator, and for 4-channel inpainting the blend that puts the known region
 * back, noised to the next timestep.
 *
 * <p>Where the noise prediction comes from and what happens after each step are the caller's: a generation asks the
 * UNet and reports progress; a teacher-forced check feeds reference UNet outputs and continues from reference latents
 * ({@link StepHook}), so it runs exactly the arithmetic a generation runs.
 *
 * @param scheduler  a scheduler whose {@code setTimesteps} has been called
 * @param timesteps  the timesteps to run, one per UNet call (img2img: the tail the strength leaves)
 * @param guidance   classifier-free guidance, or {@link Guidance.Settings#NONE}
 * @param generator  the run's generator (stochastic schedulers draw from it in {@code step}); may be null for
 *                   deterministic schedulers
 * @param inpainting the latent blending of 4-channel inpainting, or null
 */
public record DenoisingLoop(SamplingScheduler scheduler, double[] timesteps, Guidance.Settings guidance,
        TorchGenerator generator, Inpainting inpainting) {

    /**
     * What 4-channel inpainting keeps: after step {@code i} the latents outside the mask are replaced by the image's
     * latents noised to timestep {@code i + 1} (the image's latents themselves after the last step).
     *
     * @param imageLatents the init image's latents [B, 4, h, w]
     * @param noise        the noise the run started from
     * @param mask         the latent-size mask [B, 1, h, w], 1 = repaint
     */
    public record Inpainting(Tensor imageLatents, Tensor noise, Tensor mask) {}

    /** Where UNet call {@code call}'s output comes from. */
    @FunctionalInterface
    public interface NoiseSource {
        /**
         * @param call       0-based UNet call
         * @param modelInput the scaled model input (batch doubled under guidance)
         * @param timestep   the call's timestep
         * @return the raw UNet output (both halves under guidance)
         */
        Tensor predict(int call, Tensor modelInput, double timestep);
    }

    /** Sees each finished step; returns the latents the loop continues from (normally {@code latents}). */
    @FunctionalInterface
    public interface StepHook {
        StepHook NONE = (call, modelInput, unetOutput, latents) -> latents;

        Tensor afterStep(int call, Tensor modelInput, Tensor unetOutput, Tensor latents);

        /**
         * {@link #afterStep(int, Tensor, Tensor, Tensor)} with the scheduler's denoised estimate of the step
         * ({@code pred_original_sample}), or null when the scheduler has none; read it, never change it.
         */
        default Tensor afterStep(int call, Tensor modelInput, Tensor unetOutput, Tensor latents, Tensor denoised) {
            return afterStep(call, modelInput, unetOutput, latents);
        }
    }

    /** Runs every timestep from {@code latents}; returns the final latents. */
    public Tensor run(Tensor latents, NoiseSource unet, StepHook hook) {
        for (int i = 0; i < timesteps.length; i++) {
            double t = timesteps[i];
            Tensor modelIn = scheduler.scaleModelInput(guidance.enabled() ? Tensor.cat0(latents, latents) : latents, t);
            Tensor out = unet.predict(i, modelIn, t);
            Tensor noisePred = guidance.enabled() ? Guidance.apply(out, guidance.scale(), guidance.rescale()) : out;
            StepOutput stepped = scheduler.stepWithPrediction(noisePred, t, latents, generator);
            Tensor next = stepped.prevSample();
            if (inpainting != null) {
                Tensor known = inpainting.imageLatents();
                if (i < timesteps.length - 1) {
                    known = scheduler.addNoise(inpainting.imageLatents(), inpainting.noise(), timesteps[i + 1]);
                }
                next = LatentMasks.blend(known, next, inpainting.mask());
            }
            latents = hook.afterStep(i, modelIn, out, next, stepped.predOriginalSample());
        }
        return latents;
    }
}
