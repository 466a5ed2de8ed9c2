package dev.vega4j.conformance;

import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DenoisingLoop;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.Guidance;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.PipelineLoader;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.pipeline.SamplingScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.ConformanceGroup;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The full-run golden groups {@code pipelines}, {@code img2img} and {@code inpaint} (golden README): per case
 * <ol>
 * <li>teacher forcing, UNet: each reference {@code step_latent_model_input} through our UNet with the reference
 * conditioning, compared with {@code step_unet_out} ({@code max|d|/max|ref| <= 1e-4});</li>
 * <li>teacher forcing, scheduler: from the reference {@code latents_init}, each reference UNet output through our
 * guidance + {@code scheduler.step} (+ latent blending for inpainting), compared with {@code step_latents} at the
 * scheduler tolerance (the generator replayed in diffusers' draw order);</li>
 * <li>a free run of our pipeline from the seed: conditioning, noise, preprocessing, VAE encode, timesteps and
 * {@code latents_init} checked on the way, then {@code final_latents} (rel 1e-3) and {@code image} (abs 2e-3).</li>
 * </ol>
 */
public class DiffusionRunConformance implements ConformanceGroup {
    static final double UNET_TOL = 1e-4;
    static final double TEXT_TOL = 1e-4;
    static final double VAE_TOL = 1e-4;
    static final double RNG_ABS = 2e-6;
    static final double FINAL_LATENTS_REL = 1e-3;
    static final double IMAGE_ABS = 2e-3;
    private static final Set<String> STOCHASTIC = Set.of("EulerAncestralDiscreteScheduler",
            "KDPM2AncestralDiscreteScheduler", "DDPMScheduler", "LCMScheduler");

    enum Mode { TEXT_TO_IMAGE, IMAGE_TO_IMAGE, INPAINT }

    private final String name;
    private final Mode mode;
    private final Function<Path, DiffusionPipeline> loader;

    DiffusionRunConformance(String name, Mode mode, Function<Path, DiffusionPipeline> loader) {
        this.name = name;
        this.mode = mode;
        this.loader = loader;
    }

    /** {@code cases/pipelines}. */
    public static final class Pipelines extends DiffusionRunConformance {
        public Pipelines() {
            super("pipelines", Mode.TEXT_TO_IMAGE, PipelineLoader::load);
        }
    }

    /** {@code cases/img2img}. */
    public static final class Img2Img extends DiffusionRunConformance {
        public Img2Img() {
            super("img2img", Mode.IMAGE_TO_IMAGE, PipelineLoader::load);
        }
    }

    /** {@code cases/inpaint}. */
    public static final class Inpaint extends DiffusionRunConformance {
        public Inpaint() {
            super("inpaint", Mode.INPAINT, PipelineLoader::load);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<Path, DiffusionPipeline> cache = new HashMap<>();
        List<CaseResult> results = new ArrayList<>();
        try {
            for (GoldenCase c : group.cases()) {
                try {
                    DiffusionPipeline p = cache.computeIfAbsent(c.modelDir(), loader);
                    results.add(runCase(c, p));
                } catch (RuntimeException e) {
                    results.add(CaseResult.error(c.id(), e.toString()));
                } finally {
                    c.close();
                }
            }
        } finally {
            cache.values().forEach(DiffusionPipeline::close);
        }
        return results;
    }

    private CaseResult runCase(GoldenCase c, DiffusionPipeline p) {
        CaseResult r = new CaseResult(c.id());
        JsonNode j = c.json();
        GenerationRequest req = request(c);
        long seed = j.get("seed").asLong();
        boolean cfg = Guidance.enabled(req.guidanceScale());
        String cls = j.path("scheduler_class").asText();
        JsonNode overrides = j.has("scheduler_overrides") ? j.get("scheduler_overrides")
                : JsonNodeFactory.instance.objectNode();
        double rtol = STOCHASTIC.contains(cls) || req.steps() > 20
                || overrides.path("algorithm_type").asText("").startsWith("sde") ? 1e-4 : 1e-5;

        // 1. teacher forcing, UNet
        Tensor ehs = c.tensor("cond.prompt_embeds");
        Tensor textEmbeds = c.has("cond.add_text_embeds") ? c.tensor("cond.add_text_embeds") : null;
        Tensor timeIds = c.has("cond.add_time_ids") ? c.tensor("cond.add_time_ids") : null;
        Tensor lmi = c.tensor("step_latent_model_input");
        Tensor uo = c.tensor("step_unet_out");
        Tensor stepT = c.tensor("step_timesteps");
        int calls = lmi.dim(0);
        for (int i = 0; i < calls; i++) {
            Tensor out = p.unet().predict(entry(lmi, i), stepT.data()[i], ehs, textEmbeds, timeIds);
            r.add(Comparison.maxRel("tf.step_unet_out[" + i + "]", out, entry(uo, i), UNET_TOL));
        }

        // 2. teacher forcing, scheduler (+ guidance, + blending)
        try {
            teacherForceScheduler(r, c, p, req, seed, cls, overrides, cfg, rtol);
        } catch (RuntimeException e) {
            r.fail("teacher-forced scheduler loop: " + e);
        }

        // 3. free run from the seed
        RunTrace trace = new RunTrace();
        try {
            p.run(req, seed, p.schedulers().fromClass(cls, overrides), ProgressListener.NONE, new Cancellation(),
                    trace);
        } catch (RuntimeException e) {
            if (r.passed()) {
                r.fail("free run: " + e);
            }
        }
        checkFreeRun(r, c, trace, rtol);
        return r;
    }

    private void teacherForceScheduler(CaseResult r, GoldenCase c, DiffusionPipeline p, GenerationRequest req,
            long seed, String cls, JsonNode overrides, boolean cfg, double rtol) {
        SamplingScheduler s = p.schedulers().fromClass(cls, overrides);
        s.setTimesteps(req.steps());
        TorchGenerator g = new TorchGenerator(seed);
        Tensor latentsInit = c.tensor("latents_init");
        // replay the draws that precede the loop: (VAE sample,) noise (, VAE sample of the masked image)
        JsonNode recorded = c.json().get("generator_draws");
        if (recorded != null && recorded.isArray()) {
            for (JsonNode d : recorded) {
                int[] shape = new int[d.get("shape").size()];
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = d.get("shape").get(k).asInt();
                }
                g.randn(shape);
            }
        } else {
            int draws = switch (mode) {
                case TEXT_TO_IMAGE -> 1;
                case IMAGE_TO_IMAGE -> 2;
                case INPAINT -> 3;
            };
            for (int k = 0; k < draws; k++) {
                g.randn(latentsInit.shape());
            }
        }
        Tensor lmi = c.tensor("step_latent_model_input");
        Tensor uo = c.tensor("step_unet_out");
        Tensor stepLatents = c.tensor("step_latents");
        double[] stepT = doubles(c.tensor("step_timesteps"));
        DenoisingLoop.Inpainting blending = null;
        if (mode == Mode.INPAINT) { // prepare_mask_latents duplicates the mask for CFG; blending uses one half
            Tensor ml = c.tensor("mask_latent");
            blending = new DenoisingLoop.Inpainting(c.tensor("image_latents"), c.tensor("noise"),
                    cfg ? ml.slice0(0, ml.dim(0) / 2) : ml);
        }
        var guidance = new Guidance.Settings(req.guidanceScale(), req.guidanceRescale());
        new DenoisingLoop(s, stepT, guidance, g, blending).run(latentsInit, (i, xin, t) -> {
            r.add(Comparison.elementwise("tf.step_latent_model_input[" + i + "]", xin, entry(lmi, i), 1e-5, rtol));
            return entry(uo, i);
        }, (i, xin, out, next) -> {
            r.add(Comparison.elementwise("tf.step_latents[" + i + "]", next, entry(stepLatents, i), 1e-5, rtol));
            return entry(stepLatents, i);
        });
    }

    /** A float32 reference vector as the doubles the pipeline computes timesteps in. */
    static double[] doubles(Tensor v) {
        float[] f = v.data();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private void checkFreeRun(CaseResult r, GoldenCase c, RunTrace t, double rtol) {
        // conditioning (callback tensors at the first step)
        compareAbsScaled(r, c, t, "cond.prompt_embeds", TEXT_TOL);
        compareAbsScaled(r, c, t, "cond.negative_prompt_embeds", TEXT_TOL);
        compareAbsScaled(r, c, t, "cond.add_text_embeds", TEXT_TOL);
        compareExact(r, c, t, "cond.add_time_ids", "cond.add_time_ids");
        // timesteps
        String fullKey = c.has("scheduler_timesteps") ? "scheduler_timesteps" : "scheduler_timesteps_full";
        if (c.has(fullKey) && t.has("scheduler_timesteps")) {
            r.add(Comparison.elementwise(fullKey, t.get("scheduler_timesteps"), c.tensor(fullKey), 1e-6, 1e-6));
        }
        if (t.has("step_timesteps")) {
            r.add(Comparison.elementwise("step_timesteps", t.stacked("step_timesteps").reshape(-1),
                    c.tensor("step_timesteps"), 1e-6, 1e-6));
        }
        // preprocessing
        if (present(r, c, t, "image_preprocessed")) {
            r.add(Comparison.maxAbs("image_preprocessed", t.get("image_preprocessed"), c.tensor("image_preprocessed"),
                    1e-6));
        }
        compareExact(r, c, t, "mask_image", "mask_image");
        compareExact(r, c, t, "mask_preprocessed", "mask_preprocessed");
        if (present(r, c, t, "masked_image")) {
            r.add(Comparison.maxAbs("masked_image", t.get("masked_image"), c.tensor("masked_image"), 1e-6));
        }
        compareExact(r, c, t, "mask_latent", "mask_latent");
        // random draws
        if (present(r, c, t, "noise")) {
            r.add(Comparison.maxAbs("noise", t.get("noise"), c.tensor("noise"), RNG_ABS));
        }
        // VAE encode
        for (String part : new String[] {"init", "masked_image"}) {
            for (String q : new String[] {"mean", "std", "sample"}) {
                String key = "vae_encode." + part + "." + q;
                if (present(r, c, t, key)) {
                    r.add(Comparison.maxRel(key, t.get(key), c.tensor(key), VAE_TOL));
                }
            }
        }
        for (String key : new String[] {"init_latents", "image_latents", "masked_image_latents"}) {
            if (present(r, c, t, key)) {
                r.add(Comparison.maxRel(key, t.get(key), c.tensor(key), VAE_TOL));
            }
        }
        if (present(r, c, t, "latents_init")) {
            r.add(Comparison.maxRel("latents_init", t.get("latents_init"), c.tensor("latents_init"), VAE_TOL));
        }
        // the result
        if (!t.has("final_latents")) {
            return;
        }
        r.add(Comparison.maxRel("final_latents", t.get("final_latents"), c.tensor("final_latents"),
                FINAL_LATENTS_REL));
        r.add(Comparison.maxAbs("image", t.get("image"), c.tensor("image"), IMAGE_ABS));
    }

    /** Both sides have {@code key}; a finished run that lacks a key the reference has fails the case. */
    private static boolean present(CaseResult r, GoldenCase c, RunTrace t, String key) {
        if (!c.has(key)) {
            return false;
        }
        if (!t.has(key)) {
            if (t.has("final_latents")) {
                r.fail(key + ": not produced");
            }
            return false;
        }
        return true;
    }

    private static void compareAbsScaled(CaseResult r, GoldenCase c, RunTrace t, String key, double tol) {
        if (present(r, c, t, key)) {
            r.add(Comparison.absScaled(key, t.get(key), c.tensor(key), tol));
        }
    }

    private static void compareExact(CaseResult r, GoldenCase c, RunTrace t, String key, String ourKey) {
        if (present(r, c, t, ourKey)) {
            Tensor ours = t.get(ourKey);
            if (ours.numel() != c.tensor(key).numel()) {
                r.fail(key + ": shape " + Arrays.toString(ours.shape()) + " vs reference "
                        + Arrays.toString(c.tensor(key).shape()));
            } else {
                r.add(Comparison.exact(key, ours.data(), c.tensor(key).data()));
            }
        }
    }

    /** Entry {@code i} of a stacked [S, ...] tensor, without the leading dimension. */
    static Tensor entry(Tensor stacked, int i) {
        int[] s = stacked.shape();
        return stacked.slice0(i, i + 1).reshape(Arrays.copyOfRange(s, 1, s.length));
    }

    private GenerationRequest request(GoldenCase c) {
        JsonNode j = c.json();
        GenerationRequest.Builder b = GenerationRequest.builder(j.get("prompt").asText())
                .negativePrompt(j.hasNonNull("negative_prompt") ? j.get("negative_prompt").asText() : null)
                .steps(j.get("num_inference_steps").asInt())
                .guidanceScale(j.get("guidance_scale").asDouble())
                .guidanceRescale(j.path("guidance_rescale").asDouble(0.0))
                .seed(j.get("seed").asLong())
                .prompt2(text(j, "prompt_2"))
                .negativePrompt2(text(j, "negative_prompt_2"))
                .samples(j.path("num_images_per_prompt").asInt(1))
                .clipSkip(j.hasNonNull("clip_skip") ? j.get("clip_skip").asInt() : null);
        if (mode != Mode.IMAGE_TO_IMAGE) {
            b.size(j.get("width").asInt(), j.get("height").asInt());
        } // img2img pipelines take no size: the init image's, rounded down to the VAE factor (as diffusers)
        if (mode != Mode.TEXT_TO_IMAGE) {
            b.initImage(readPng(c, j.get("init_png").asText())).strength(j.get("strength").asDouble());
        }
        if (mode == Mode.INPAINT) {
            b.mask(readPng(c, j.get("mask_png").asText()));
        }
        return b.build();
    }

    private static String text(JsonNode j, String key) {
        return j.hasNonNull(key) ? j.get(key).asText() : null;
    }

    private static BufferedImage readPng(GoldenCase c, String file) {
        return ImageFiles.read(c.group().dir().resolve(file));
    }
}
