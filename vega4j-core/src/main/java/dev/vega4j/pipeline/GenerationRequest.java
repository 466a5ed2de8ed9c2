package dev.vega4j.pipeline;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.schedulers.SchedulerOverrides;
import dev.vega4j.schedulers.SchedulerRegistry;
import java.awt.image.BufferedImage;

/**
 * Everything a user can ask of one generation, with the defaults of Segmind's Vega API (25 steps, guidance 7.5, seed
 * -1 = random). {@code null} means "the model's default" (size, scheduler) or "not given" (negative prompt: diffusers
 * distinguishes a missing negative prompt — zeros for SDXL — from an empty one).
 *
 * @param prompt           the text to draw
 * @param negativePrompt   what to avoid; null = not given
 * @param prompt2          SDXL's second-encoder prompt; null = same as prompt
 * @param negativePrompt2  SDXL's second-encoder negative prompt; null = same as negativePrompt
 * @param steps            number of denoising steps (num_inference_steps)
 * @param guidanceScale    classifier-free guidance scale; ≤ 1 disables CFG (one UNet call per step)
 * @param guidanceRescale  diffusers' guidance_rescale (0 = off)
 * @param seed             any 64-bit value (unsigned values above 2^63 arrive as negative longs); -1 = pick one at
 *                         random (reported in the result)
 * @param scheduler        scheduler name (Segmind, AUTOMATIC1111 or diffusers class name); null = the model's own
 * @param width            image width in pixels, a multiple of 8; null = the model's default
 * @param height           image height in pixels, a multiple of 8; null = the model's default
 * @param samples          images per prompt (num_images_per_prompt)
 * @param clipSkip         diffusers' clip_skip (null = none)
 * @param initImage        img2img / inpainting source image; null = text-to-image
 * @param strength         img2img strength in (0, 1]
 * @param mask             inpainting mask (white = repaint); null = no inpainting
 * @param schedulerOverrides keys of the model's scheduler config this run replaces (prediction type, zero terminal
 *                         SNR), whichever scheduler it uses; null = {@link SchedulerOverrides#NONE}
 */
public record GenerationRequest(String prompt, String negativePrompt, String prompt2, String negativePrompt2, int steps,
        double guidanceScale, double guidanceRescale, long seed, String scheduler, Integer width, Integer height,
        int samples, Integer clipSkip, BufferedImage initImage, double strength, BufferedImage mask,
        SchedulerOverrides schedulerOverrides) {

    public static final int DEFAULT_STEPS = 25;
    public static final double DEFAULT_GUIDANCE = 7.5;
    /** Largest side accepted by default: bounds memory (a 4096² latent UNet pass is already tens of GiB). */
    public static final int MAX_SIDE = 4096;

    public GenerationRequest {
        if (schedulerOverrides == null) {
            schedulerOverrides = SchedulerOverrides.NONE;
        }
        if (prompt == null) {
            throw new InvalidRequestException("prompt is required");
        }
        if (steps < 1 || steps > 1000) {
            throw new InvalidRequestException("steps must be between 1 and 1000, got " + steps);
        }
        if (!Double.isFinite(guidanceScale) || guidanceScale < 0 || guidanceScale > 100) {
            throw new InvalidRequestException("guidance scale must be between 0 and 100, got " + guidanceScale);
        }
        if (!Double.isFinite(guidanceRescale) || guidanceRescale < 0 || guidanceRescale > 1) {
            throw new InvalidRequestException("guidance rescale must be between 0 and 1, got " + guidanceRescale);
        }
        checkSide("width", width);
        checkSide("height", height);
        if (samples < 1 || samples > 16) {
            throw new InvalidRequestException("samples must be between 1 and 16, got " + samples);
        }
        if (clipSkip != null && (clipSkip < 0 || clipSkip > 10)) {
            throw new InvalidRequestException("clip skip must be between 0 and 10, got " + clipSkip);
        }
        if (initImage != null && !(strength > 0 && strength <= 1)) {
            throw new InvalidRequestException("strength must be in (0, 1], got " + strength);
        }
        if (mask != null && initImage == null) {
            throw new InvalidRequestException("a mask needs an init image (inpainting)");
        }
        if (scheduler != null && !scheduler.isBlank()) {
            // a misspelt name fails here, listing the valid ones, not after a multi-gigabyte model has loaded
            SchedulerRegistry.resolve(scheduler);
        }
    }

    private static void checkSide(String name, Integer v) {
        if (v == null) {
            return;
        }
        if (v < 8 || v > MAX_SIDE) {
            throw new InvalidRequestException(name + " must be between 8 and " + MAX_SIDE + " pixels, got " + v);
        }
        if (v % 8 != 0) {
            throw new InvalidRequestException(name + " must be a multiple of 8 (the VAE's downscaling factor), got "
                    + v);
        }
    }

    public static Builder builder(String prompt) {
        return new Builder(prompt);
    }

    public Builder toBuilder() {
        Builder b = new Builder(prompt);
        b.negativePrompt = negativePrompt;
        b.prompt2 = prompt2;
        b.negativePrompt2 = negativePrompt2;
        b.steps = steps;
        b.guidanceScale = guidanceScale;
        b.guidanceRescale = guidanceRescale;
        b.seed = seed;
        b.scheduler = scheduler;
        b.width = width;
        b.height = height;
        b.samples = samples;
        b.clipSkip = clipSkip;
        b.initImage = initImage;
        b.strength = strength;
        b.mask = mask;
        b.schedulerOverrides = schedulerOverrides;
        return b;
    }

    /** Fluent construction with Segmind's defaults. */
    public static final class Builder {
        private final String prompt;
        private String negativePrompt;
        private String prompt2;
        private String negativePrompt2;
        private int steps = DEFAULT_STEPS;
        private double guidanceScale = DEFAULT_GUIDANCE;
        private double guidanceRescale;
        private long seed = -1;
        private String scheduler;
        private Integer width;
        private Integer height;
        private int samples = 1;
        private Integer clipSkip;
        private BufferedImage initImage;
        private double strength = 0.8;
        private BufferedImage mask;
        private SchedulerOverrides schedulerOverrides = SchedulerOverrides.NONE;

        private Builder(String prompt) {
            this.prompt = prompt;
        }

        public Builder negativePrompt(String v) { this.negativePrompt = v; return this; }
        public Builder prompt2(String v) { this.prompt2 = v; return this; }
        public Builder negativePrompt2(String v) { this.negativePrompt2 = v; return this; }
        public Builder steps(int v) { this.steps = v; return this; }
        public Builder guidanceScale(double v) { this.guidanceScale = v; return this; }
        public Builder guidanceRescale(double v) { this.guidanceRescale = v; return this; }
        public Builder seed(long v) { this.seed = v; return this; }
        public Builder scheduler(String v) { this.scheduler = v; return this; }
        public Builder width(Integer v) { this.width = v; return this; }
        public Builder height(Integer v) { this.height = v; return this; }
        public Builder size(int w, int h) { this.width = w; this.height = h; return this; }
        public Builder samples(int v) { this.samples = v; return this; }
        public Builder clipSkip(Integer v) { this.clipSkip = v; return this; }
        public Builder initImage(BufferedImage v) { this.initImage = v; return this; }
        public Builder strength(double v) { this.strength = v; return this; }
        public Builder mask(BufferedImage v) { this.mask = v; return this; }
        public Builder schedulerOverrides(SchedulerOverrides v) { this.schedulerOverrides = v; return this; }

        public GenerationRequest build() {
            return new GenerationRequest(prompt, negativePrompt, prompt2, negativePrompt2, steps, guidanceScale,
                    guidanceRescale, seed, scheduler, width, height, samples, clipSkip, initImage, strength, mask,
                    schedulerOverrides);
        }
    }
}
