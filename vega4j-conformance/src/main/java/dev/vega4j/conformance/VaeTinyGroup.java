package dev.vega4j.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.models.vae.AutoencoderTiny;
import dev.vega4j.pipeline.Autoencoders;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.PipelineLoader;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.pipeline.Trace;
import dev.vega4j.pipeline.VaeImageProcessor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cases/vae_tiny} (golden README): {@code AutoencoderTiny} {@code decode} ({@code out.sample}) and
 * {@code encode} ({@code out.latents}) at the VAE tolerance ({@code max|d| / max|ref| <= 1e-4}); {@code pipeline}
 * runs the named pipeline with its VAE replaced by the named tiny autoencoder and compares {@code image} at the
 * {@code pipelines} image tolerance (abs 2e-3). Every shape comes from the case's config and tensors.
 */
public final class VaeTinyGroup implements ConformanceGroup {

    @Override
    public String name() {
        return "vae_tiny";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<String, AutoencoderTiny> models = new HashMap<>();
        return ConformanceGroup.checkEachCase(group, c -> {
            String op = c.json().path("op").asText();
            if (op.equals("pipeline")) {
                return checkPipeline(c, group);
            }
            return check(c, op, models.computeIfAbsent(c.model(), k -> AutoencoderTiny.load(c.modelDir())));
        });
    }

    static CaseResult check(GoldenCase c, String op, AutoencoderTiny vae) {
        CaseResult r = new CaseResult(c.id());
        switch (op) {
            case "decode" -> r.add(Comparison.maxRel("out.sample", vae.decode(c.tensor("in.latents")),
                    c.tensor("out.sample"), VaeGroup.TOLERANCE));
            case "encode" -> r.add(Comparison.maxRel("out.latents", vae.encode(c.tensor("in.image")),
                    c.tensor("out.latents"), VaeGroup.TOLERANCE));
            default -> r.fail("unknown vae_tiny op '" + op + "'");
        }
        return r;
    }

    /** The pipeline with {@code pipe.vae} replaced, run from the seed with its own scheduler. */
    static CaseResult checkPipeline(GoldenCase c, GoldenGroup group) {
        CaseResult r = new CaseResult(c.id());
        JsonNode j = c.json();
        try (DiffusionPipeline base = PipelineLoader.load(group.modelDir(j.get("pipeline").asText()))) {
            DiffusionPipeline p = base.withVae(Autoencoders.loadFolder(group.modelDir(j.get("vae").asText())));
            GenerationRequest req = GenerationRequest.builder(j.get("prompt").asText())
                    .negativePrompt(j.hasNonNull("negative_prompt") && !j.get("negative_prompt").asText().isEmpty()
                            ? j.get("negative_prompt").asText() : null)
                    .steps(j.get("num_inference_steps").asInt())
                    .guidanceScale(j.get("guidance_scale").asDouble())
                    .seed(j.get("seed").asLong())
                    .size(j.get("width").asInt(), j.get("height").asInt())
                    .build();
            DiffusionPipeline.RunOutput out = p.run(req, j.get("seed").asLong(), p.schedulers().create(null),
                    ProgressListener.NONE, new Cancellation(), Trace.NONE);
            r.add(Comparison.maxAbs("image", VaeImageProcessor.toNhwc(out.image01()), c.tensor("image"),
                    DiffusionRunConformance.IMAGE_ABS));
        }
        return r;
    }
}
