package dev.vega4j.pipeline;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.pipeline.ProgressListener.Phase;
import dev.vega4j.pipeline.ProgressListener.ProgressEvent;
import dev.vega4j.rng.Seeds;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Text-to-image, image-to-image and inpainting for SDXL-family models (Vega, SDXL, SSD-1B) and SD 1.5, following
 * diffusers 0.26.3's {@code StableDiffusion[XL][Img2Img|Inpaint]Pipeline.__call__} step by step so that the same seed
 * gives the same image: prompt encoding, latents drawn from a {@link TorchGenerator} in diffusers' order, the
 * scheduler loop with classifier-free guidance (and guidance_rescale), latent blending for 4-channel inpainting, and
 * the float32 VAE decode.
 */
public final class DiffusionPipeline implements Pipeline {
    private final ModelInfo info;
    private final PromptEncoder promptEncoder;
    private final NoisePredictor unet;
    private final LatentAutoencoder vae;
    private final SchedulerProvider schedulers;
    private final AutoCloseable resources;
    /** The tiny autoencoder live previews use; null = the pipeline's own VAE when it is tiny, else the linear map. */
    private final LatentAutoencoder previewVae;

    public DiffusionPipeline(ModelInfo info, PromptEncoder promptEncoder, NoisePredictor unet, LatentAutoencoder vae,
            SchedulerProvider schedulers, AutoCloseable resources) {
        this(info, promptEncoder, unet, vae, schedulers, resources, null);
    }

    private DiffusionPipeline(ModelInfo info, PromptEncoder promptEncoder, NoisePredictor unet, LatentAutoencoder vae,
            SchedulerProvider schedulers, AutoCloseable resources, LatentAutoencoder previewVae) {
        this.info = info;
        this.promptEncoder = promptEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulers = schedulers;
        this.resources = resources;
        this.previewVae = previewVae;
    }

    /**
     * This pipeline with its autoencoder swapped (diffusers' {@code pipe.vae = vae}); the other parts are shared, so
     * close only one of the two. The autoencoder must take the UNet's latents.
     */
    public DiffusionPipeline withVae(LatentAutoencoder other) {
        return new DiffusionPipeline(info, promptEncoder, unet, other, schedulers, resources, previewVae);
    }

    /** This pipeline with live previews decoded by a tiny autoencoder (TAESD / TAESDXL); parts shared as above. */
    public DiffusionPipeline withPreviewAutoencoder(LatentAutoencoder tiny) {
        if (!tiny.tiny()) {
            throw new VegaException("live previews take a tiny autoencoder (AutoencoderTiny), not the full VAE");
        }
        return new DiffusionPipeline(info, promptEncoder, unet, vae, schedulers, resources, tiny);
    }

    /** What renders live previews: a tiny autoencoder when there is one, else the family's linear projection. */
    public LatentPreviewer previewer() {
        LatentAutoencoder tiny = previewVae != null ? previewVae : vae.tiny() ? vae : null;
        return tiny != null ? new TinyVaePreview(tiny) : LinearLatentPreview.of(info.family());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public PromptEncoder promptEncoder() {
        return promptEncoder;
    }

    public NoisePredictor unet() {
        return unet;
    }

    public LatentAutoencoder vae() {
        return vae;
    }

    public SchedulerProvider schedulers() {
        return schedulers;
    }

    /** The UNet (when it is diffusers' {@code UNet2DConditionModel}) and the prompt encoder's text encoders. */
    @Override
    public Optional<AdaptableModules> adaptableModules() {
        return unet instanceof UNetNoisePredictor(UNet2DConditionModel u)
                ? Optional.of(new AdaptableModules(u, promptEncoder.textEncoders())) : Optional.empty();
    }

    private boolean sdxl() {
        return info.family() == Family.SDXL;
    }

    /** What one run produced before conversion to 8-bit images. */
    public record RunOutput(Tensor finalLatents, Tensor image01, long seed, String scheduler, int width, int height) {}

    @Override
    public GenerationResult generate(GenerationRequest request, ProgressListener progress, Cancellation cancellation) {
        long start = System.nanoTime();
        Seeds.Resolved seed = Seeds.resolve(request.seed());
        RunOutput out = run(request, seed.seed(), schedulers.create(request.scheduler(), request.schedulerOverrides()),
                progress, cancellation,
                Trace.NONE);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < out.image01().dim(0); i++) {
            images.add(VaeImageProcessor.toImage(out.image01(), i));
        }
        var used = new GenerationResult.UsedParameters(request.prompt(), request.negativePrompt(), request.steps(),
                request.guidanceScale(), seed.seed(), out.scheduler(), out.width(), out.height(), request.samples(),
                info.name(), request.initImage() != null ? request.strength() : null);
        int ran = DenoisingSteps.run(request);
        progress.onProgress(new ProgressEvent(Phase.DONE, ran, ran, System.nanoTime() - start));
        return new GenerationResult(images, used, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * One generation with an explicit seed and scheduler instance; every intermediate tensor goes to {@code trace}
     * (the conformance groups compare them with diffusers').
     */
    public RunOutput run(GenerationRequest request, long seed, SamplingScheduler scheduler, ProgressListener progress,
            Cancellation cancellation, Trace trace) {
        // one generation = one prompt: the UNet's cross-attention keys/values are projected once, not once per step
        return dev.vega4j.models.layers.CrossAttentionCache.during(
                () -> runOnce(request, seed, scheduler, progress, cancellation, trace));
    }

    private RunOutput runOnce(GenerationRequest request, long seed, SamplingScheduler scheduler,
            ProgressListener progress, Cancellation cancellation, Trace trace) {
        long start = System.nanoTime();
        int vsf = vae.scaleFactor();
        boolean inpaint = request.mask() != null;
        if (inpaint && unet.inChannels() != 4) {
            throw new InvalidRequestException("inpainting with a " + unet.inChannels() + "-channel"
                    + " (inpainting-specific) UNet is not supported; use a regular 4-channel model");
        }
        int height, width;
        if (request.initImage() != null) {
            // img2img / inpainting: a missing side comes from the init image, rounded down to a multiple of the VAE
            // factor (VaeImageProcessor.get_default_height_width; diffusers' img2img pipelines always work this way).
            int[] hw = VaeImageProcessor.defaultHeightWidth(request.initImage(), request.height(), request.width(), vsf);
            height = hw[0];
            width = hw[1];
        } else {
            height = request.height() != null ? request.height() : unet.sampleSize() * vsf;
            width = request.width() != null ? request.width() : unet.sampleSize() * vsf;
        }
        if (height % vsf != 0 || width % vsf != 0 || height < vsf || width < vsf) {
            throw new InvalidRequestException("image size " + width + "x" + height + " must be a positive multiple of "
                    + vsf);
        }
        int batch = request.samples();
        boolean cfg = Guidance.enabled(request.guidanceScale());

        // 3. encode_prompt
        int stepsRun = DenoisingSteps.run(request);
        progress.onProgress(new ProgressEvent(Phase.ENCODE_PROMPT, 0, stepsRun, System.nanoTime() - start));
        PromptEmbeddings pe = promptEncoder.encode(request.prompt(), request.prompt2(), request.negativePrompt(),
                request.negativePrompt2(), batch, cfg, request.clipSkip());
        Tensor encoderHidden = pe.unetEncoderHiddenStates(cfg);
        // SDXL's added conditions: pooled text embeds and add_time_ids (original size, crop, target size)
        Tensor textEmbeds = sdxl() ? pe.unetTextEmbeds(cfg) : null;
        Tensor timeIds = sdxl() ? AddTimeIds.batch(AddTimeIds.forSize(height, width), encoderHidden.dim(0)) : null;
        trace.record("cond.prompt_embeds", encoderHidden);
        if (pe.negativePromptEmbeds() != null) {
            trace.record("cond.negative_prompt_embeds", pe.negativePromptEmbeds());
        }
        if (sdxl()) {
            trace.record("cond.add_text_embeds", textEmbeds);
            trace.record("cond.add_time_ids", timeIds);
        }
        cancellation.check();

        // 4. timesteps (truncated by strength for img2img / inpainting: get_timesteps)
        scheduler.setTimesteps(request.steps());
        double[] timesteps = scheduler.timesteps();
        if (trace.enabled()) {
            trace.record("scheduler_timesteps", vector(timesteps));
        }
        if (request.initImage() != null) {
            int from = Math.min(DenoisingSteps.skipped(request) * scheduler.order(), timesteps.length);
            timesteps = java.util.Arrays.copyOfRange(timesteps, from, timesteps.length);
            if (timesteps.length == 0) {
                throw new InvalidRequestException("strength " + request.strength() + " with " + request.steps()
                        + " steps leaves no denoising step; raise the strength or the steps");
            }
        }
        // progress counts denoising steps, not UNet calls (Heun: two per step); cancellation is checked after each
        DenoisingSteps steps = new DenoisingSteps(stepsRun, timesteps.length, scheduler.order());
        AtomicInteger progressed = new AtomicInteger(); // steps reported so far
        TorchGenerator generator = new TorchGenerator(seed);
        int h = height / vsf, w = width / vsf;
        int[] latentShape = {batch, unet.inChannels(), h, w};

        // 5. latents
        Tensor latents;
        Tensor imageLatents = null, noise = null, maskLatent = null;
        if (request.initImage() == null) {
            noise = generator.randn(latentShape);
            trace.record("noise", noise);
            latents = scale(noise, scheduler.initNoiseSigma());
        } else {
            Tensor image = VaeImageProcessor.preprocessImage(request.initImage(), height, width);
            trace.record("image_preprocessed", image);
            Tensor maskCondition = null;
            if (inpaint) {
                if (trace.enabled()) {
                    trace.record("mask_image", VaeImageProcessor.maskValues(request.mask()));
                }
                maskCondition = VaeImageProcessor.preprocessMask(request.mask(), height, width);
                trace.record("mask_preprocessed", maskCondition);
            }
            imageLatents = BatchOps.repeatBatch(encodeLatents(image, generator, trace, "init"), batch);
            trace.record("init_latents", imageLatents);
            if (inpaint) {
                trace.record("image_latents", imageLatents);
            }
            noise = generator.randn(latentShape);
            trace.record("noise", noise);
            boolean strengthMax = request.strength() == 1.0;
            if (inpaint && strengthMax) {
                latents = scale(noise, scheduler.initNoiseSigma());
            } else {
                latents = scheduler.addNoise(imageLatents, noise, timesteps[0]);
            }
            if (inpaint) {
                // prepare_mask_latents: nearest-neighbour mask at latent size; the masked image is VAE-encoded (and
                // draws from the generator) even though a 4-channel UNet never reads it.
                Tensor masked = maskedImage(image, maskCondition);
                trace.record("masked_image", masked);
                maskLatent = BatchOps.repeatBatch(LatentMasks.interpolateNearest(maskCondition, h, w), batch);
                Tensor maskedLatents = BatchOps.repeatBatch(encodeLatents(masked, generator, trace, "masked_image"),
                        batch);
                if (trace.enabled()) { // prepare_mask_latents' outputs, duplicated for CFG as diffusers returns them
                    trace.record("mask_latent", cfg ? Tensor.cat0(maskLatent, maskLatent) : maskLatent);
                    trace.record("masked_image_latents",
                            cfg ? Tensor.cat0(maskedLatents, maskedLatents) : maskedLatents);
                }
            }
        }
        trace.record("latents_init", latents);
        cancellation.check();

        // 8. denoising loop
        DenoisingLoop.Inpainting blending = inpaint ? new DenoisingLoop.Inpainting(imageLatents, noise, maskLatent)
                : null;
        DenoisingLoop loop = new DenoisingLoop(scheduler, timesteps,
                new Guidance.Settings(request.guidanceScale(), request.guidanceRescale()), generator, blending);
        latents = loop.run(latents, (i, modelIn, t) -> {
            if (trace.enabled()) {
                trace.record("step_latent_model_input", modelIn);
                trace.record("step_timesteps", Tensor.of(new float[] {(float) t}, 1));
            }
            Tensor out = unet.predict(modelIn, t, encoderHidden, textEmbeds, timeIds);
            trace.record("step_unet_out", out);
            return out;
        }, new DenoisingLoop.StepHook() {
            @Override
            public Tensor afterStep(int i, Tensor modelIn, Tensor out, Tensor next) {
                return afterStep(i, modelIn, out, next, null);
            }

            @Override
            public Tensor afterStep(int i, Tensor modelIn, Tensor out, Tensor next, Tensor denoised) {
                trace.record("step_latents", next);
                if (steps.completesStep(i) && progressed.get() < stepsRun) {
                    int step = progressed.incrementAndGet();
                    progress.onProgress(new ProgressEvent(Phase.DENOISE, step, stepsRun, System.nanoTime() - start));
                    preview(progress, step, stepsRun, denoised != null ? denoised : next);
                }
                cancellation.check();
                return next;
            }
        });
        trace.record("final_latents", latents);

        // decode: vae.decode(latents / scaling_factor), (x / 2 + 0.5).clamp(0, 1)
        progress.onProgress(new ProgressEvent(Phase.DECODE, stepsRun, stepsRun, System.nanoTime() - start));
        Tensor image01 = decode(latents);
        if (trace.enabled()) {
            trace.record("image", VaeImageProcessor.toNhwc(image01));
        }
        return new RunOutput(latents, image01, seed, scheduler.name(), width, height);
    }

    /**
     * A live preview of the first sample after {@code step} when the listener wants one at this step (every
     * {@code previewInterval()} steps and at the last). Reads {@code latents} only, so the run's result is the same
     * bits with or without previews.
     */
    private void preview(ProgressListener progress, int step, int total, Tensor latents) {
        int every = progress.previewInterval();
        if (every <= 0 || (step % every != 0 && step != total)) {
            return;
        }
        progress.onPreview(new ProgressListener.Preview(step, total, previewer().render(latents.slice0(0, 1))));
    }

    /** Decodes one sample at a time (bounds the VAE's activation memory; the result is the same per sample). */
    public Tensor decode(Tensor latents) {
        int b = latents.dim(0);
        float inv = vae.scalingFactor();
        List<Tensor> parts = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            Tensor z = latents.slice0(i, i + 1);
            float[] d = z.data();
            for (int j = 0; j < d.length; j++) {
                d[j] = d[j] / inv;
            }
            parts.add(VaeImageProcessor.denormalize(vae.decode(z)));
        }
        return Tensor.cat0(parts.toArray(Tensor[]::new));
    }

    /**
     * {@code scaling_factor * vae.encode(image).latent_dist.sample(generator)}: std = exp(0.5 * clamp(logvar, -30,
     * 20)), sample = mean + std * randn(mean.shape) (diffusers' DiagonalGaussianDistribution).
     */
    Tensor encodeLatents(Tensor image, TorchGenerator generator, Trace trace, String name) {
        Optional<Tensor> direct = vae.encodeLatents(image);
        if (direct.isPresent()) { // AutoencoderTiny: no distribution, no draw from the generator
            trace.record("vae_encode." + name + ".sample", direct.get());
            return scale(direct.get(), vae.scalingFactor());
        }
        Tensor[] moments = vae.encodeMoments(image);
        Tensor mean = moments[0];
        float[] lv = moments[1].data();
        Tensor std = Tensor.zeros(mean.shape());
        float[] s = std.data();
        for (int i = 0; i < s.length; i++) {
            float l = Math.min(Math.max(lv[i], -30f), 20f);
            s[i] = (float) Math.exp(0.5f * l);
        }
        Tensor eps = generator.randn(mean.shape());
        Tensor sample = Tensor.zeros(mean.shape());
        float[] m = mean.data(), e = eps.data(), o = sample.data();
        for (int i = 0; i < o.length; i++) {
            float se = s[i] * e[i];
            o[i] = m[i] + se;
        }
        trace.record("vae_encode." + name + ".mean", mean);
        trace.record("vae_encode." + name + ".std", std);
        trace.record("vae_encode." + name + ".sample", sample);
        return scale(sample, vae.scalingFactor());
    }

    /** {@code init_image * (mask < 0.5)}. */
    static Tensor maskedImage(Tensor image, Tensor mask) {
        int c = image.dim(1), plane = image.dim(2) * image.dim(3);
        Tensor out = Tensor.zeros(image.shape());
        float[] im = image.data(), mk = mask.data(), o = out.data();
        for (int ci = 0; ci < c; ci++) {
            for (int i = 0; i < plane; i++) {
                o[ci * plane + i] = im[ci * plane + i] * (mk[i] < 0.5f ? 1f : 0f);
            }
        }
        return out;
    }

    static Tensor scale(Tensor x, float s) {
        Tensor out = Tensor.zeros(x.shape());
        float[] a = x.data(), o = out.data();
        for (int i = 0; i < o.length; i++) {
            o[i] = a[i] * s;
        }
        return out;
    }

    private static Tensor vector(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, v.length);
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new VegaException("cannot close model files: " + e.getMessage(), e);
            }
        }
    }
}
