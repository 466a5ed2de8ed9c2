package dev.vega4j.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DenoisingLoop;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.Guidance;
import dev.vega4j.pipeline.ModelIndex;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.SamplingScheduler;
import dev.vega4j.pipeline.SchedulerProvider;
import dev.vega4j.pipeline.UNetNoisePredictor;
import dev.vega4j.pipeline.VaeLatentAutoencoder;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code pipe.*} part of {@code cases/lora}: one {@code StableDiffusionXLPipeline} run with the fused adapter (the
 * caller fuses it), the manifest's scheduler ({@code LCMScheduler}, 4 steps, guidance 1 = no CFG: VegaRT style).
 * Checked like {@code cases/pipelines}: conditioning, initial latents, per step with teacher forcing (reference UNet
 * input → our UNet output; reference UNet output → our scheduler step, with the generator advanced exactly as in the
 * run), then the free-running final latents (rel 1e-3) and image (abs 2e-3).
 */
final class LoraPipelineCheck {
    private LoraPipelineCheck() {}

    static CaseResult run(GoldenCase c, LoraConformance.Model m, double noiseFloor) {
        CaseResult r = new CaseResult(c.id() + "/pipe");
        JsonNode run = c.json().get("pipeline_run");
        SchedulerType type = SchedulerType.forClassName(run.get("scheduler_class").asText());
        SchedulerConfig config = SchedulerConfig.fromJson(type, run.get("scheduler_config"), null);
        int steps = run.get("steps").asInt();
        long seed = run.get("seed").asLong();
        int w = run.get("w").asInt(), h = run.get("h").asInt();

        ModelIndex index = ModelIndex.read(m.dir());
        AutoencoderKL vae = AutoencoderKL.load(index.component("vae"));
        var info = new Pipeline.ModelInfo(c.model(), m.family(), w, h, type.className());
        SchedulerProvider schedulers = new SchedulerProvider() {
            @Override
            public SamplingScheduler create(String name) {
                return SamplingScheduler.of(type.create(config));
            }

            @Override
            public SamplingScheduler fromClass(String className, JsonNode overrides) {
                return SamplingScheduler.of(type.create(config));
            }
        };
        DiffusionPipeline pipe = new DiffusionPipeline(info, m.promptEncoder(), new UNetNoisePredictor(m.unet()),
                new VaeLatentAutoencoder(vae), schedulers, () -> {});
        GenerationRequest.Builder b = GenerationRequest.builder(run.get("prompt").asText()).steps(steps)
                .guidanceScale(run.get("guidance_scale").asDouble()).seed(seed).size(w, h);
        if (run.hasNonNull("negative_prompt")) {
            b.negativePrompt(run.get("negative_prompt").asText());
        }
        Map<String, List<Tensor>> trace = new LinkedHashMap<>();
        pipe.run(b.build(), seed, SamplingScheduler.of(type.create(config)), e -> {}, new Cancellation(),
                (k, v) -> trace.computeIfAbsent(k, x -> new ArrayList<>()).add(v));

        compareText(r, c, trace, "cond.prompt_embeds");
        compareText(r, c, trace, "cond.add_text_embeds");
        if (c.has("pipe.cond.add_time_ids") && trace.containsKey("cond.add_time_ids")) {
            r.add(Comparison.exact("pipe.cond.add_time_ids", trace.get("cond.add_time_ids").get(0).data(),
                    c.tensor("pipe.cond.add_time_ids").data()));
        }
        Tensor ref0 = c.tensor("pipe.latents_init");
        r.add(Comparison.maxAbs("pipe.latents_init", trace.get("latents_init").get(0), ref0, 2e-6));
        float[] ts = c.tensor("pipe.step_timesteps").data();
        float[] ourTs = new float[trace.get("step_timesteps").size()];
        for (int i = 0; i < ourTs.length; i++) {
            ourTs[i] = trace.get("step_timesteps").get(i).data()[0];
        }
        r.add(Comparison.exact("pipe.step_timesteps", ourTs, ts));

        // teacher forcing
        Tensor inputs = c.tensor("pipe.step_latent_model_input");
        Tensor outs = c.tensor("pipe.step_unet_out");
        Tensor lats = c.tensor("pipe.step_latents");
        Tensor embeds = c.tensor("pipe.cond.prompt_embeds");
        Tensor textEmbeds = c.has("pipe.cond.add_text_embeds") ? c.tensor("pipe.cond.add_text_embeds") : null;
        Tensor timeIds = c.has("pipe.cond.add_time_ids") ? c.tensor("pipe.cond.add_time_ids") : null;
        UNetNoisePredictor unet = new UNetNoisePredictor(m.unet());
        SamplingScheduler sched = SamplingScheduler.of(type.create(config));
        sched.setTimesteps(steps);
        TorchGenerator g = new TorchGenerator(seed);
        g.randn(ref0.shape()); // prepare_latents' draw
        var guidance = new Guidance.Settings(run.get("guidance_scale").asDouble(),
                run.path("guidance_rescale").asDouble(0));
        new DenoisingLoop(sched, DiffusionRunConformance.doubles(c.tensor("pipe.step_timesteps")), guidance, g, null)
                .run(ref0, (i, xin, t) -> {
                    Tensor ours = unet.predict(step(inputs, i), ts[i], embeds, textEmbeds, timeIds);
                    r.add(LoraConformance.unetComparison("pipe.step_unet_out[" + i + "] (teacher forced)", ours,
                            step(outs, i), noiseFloor));
                    return step(outs, i);
                }, (i, xin, out, next) -> {
                    r.add(Comparison.elementwise("pipe.step_latents[" + i + "] (teacher forced)", next, step(lats, i),
                            1e-5, 1e-5));
                    return step(lats, i);
                });
        r.add(Comparison.maxRel("pipe.final_latents", trace.get("final_latents").get(0),
                c.tensor("pipe.final_latents"), 1e-3));
        r.add(Comparison.maxAbs("pipe.image", trace.get("image").get(0), c.tensor("pipe.image"), 2e-3));
        return r;
    }

    private static void compareText(CaseResult r, GoldenCase c, Map<String, List<Tensor>> trace, String key) {
        if (c.has("pipe." + key)) {
            List<Tensor> ours = trace.get(key);
            if (ours == null) {
                r.fail("pipe." + key + ": not produced");
            } else {
                r.add(Comparison.absScaled("pipe." + key, ours.get(0), c.tensor("pipe." + key),
                        LoraConformance.TEXT_TOL));
            }
        }
    }

    /** Entry {@code i} of a stacked [S, ...] reference tensor. */
    private static Tensor step(Tensor stacked, int i) {
        int[] s = stacked.shape();
        int[] one = java.util.Arrays.copyOfRange(s, 1, s.length);
        int n = (int) Tensor.numel(one);
        float[] d = new float[n];
        System.arraycopy(stacked.data(), i * n, d, 0, n);
        return Tensor.of(d, one);
    }
}
