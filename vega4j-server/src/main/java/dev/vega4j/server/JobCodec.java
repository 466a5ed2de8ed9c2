package dev.vega4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerOverrides;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A job as the shared store keeps it: the request, its options and output format as JSON (init image and mask as
 * lossless PNG), and a result's parameters and time. Api nodes write it, workers read it back into the very request
 * the client sent, so a job runs the same wherever it runs.
 */
final class JobCodec {
    /** What a stored job asks for. */
    record Stored(GenerationRequest request, JobOptions options, Images.Format format) {}

    private final ObjectMapper json;

    JobCodec(ObjectMapper json) {
        this.json = json;
    }

    String request(GenerationRequest r, JobOptions options, Images.Format format) {
        if (!options.loras().isEmpty()) {
            throw ApiException.badRequest("LoRA adapters are not available when the server runs with a shared store"
                    + " (vega serve --store); ask without 'lora' or <lora:...> tags");
        }
        ObjectNode o = json.createObjectNode();
        o.put("prompt", r.prompt());
        o.put("negative_prompt", r.negativePrompt());
        o.put("prompt_2", r.prompt2());
        o.put("negative_prompt_2", r.negativePrompt2());
        o.put("steps", r.steps());
        o.put("guidance_scale", r.guidanceScale());
        o.put("guidance_rescale", r.guidanceRescale());
        o.put("seed", r.seed());
        o.put("scheduler", r.scheduler());
        o.put("width", r.width());
        o.put("height", r.height());
        o.put("samples", r.samples());
        o.put("clip_skip", r.clipSkip());
        o.put("strength", r.strength());
        o.put("init_image", png(r.initImage()));
        o.put("mask", png(r.mask()));
        SchedulerOverrides so = r.schedulerOverrides();
        o.put("prediction_type", so.predictionType() == null ? null : so.predictionType().value());
        if (so.rescaleBetasZeroSnr() != null) {
            o.put("rescale_betas_zero_snr", so.rescaleBetasZeroSnr());
        }
        o.put("vae", options.vae());
        o.put("prompt_weighting", options.promptWeighting());
        o.put("infotext_prompt", options.infotextPrompt());
        o.put("infotext_negative", options.infotextNegative());
        o.put("format", format.name());
        return o.toString();
    }

    Stored request(String text) {
        JsonNode o = read(text);
        GenerationRequest.Builder b = GenerationRequest.builder(o.get("prompt").asText())
                .negativePrompt(str(o, "negative_prompt")).prompt2(str(o, "prompt_2"))
                .negativePrompt2(str(o, "negative_prompt_2")).steps(o.get("steps").asInt())
                .guidanceScale(o.get("guidance_scale").asDouble()).guidanceRescale(o.get("guidance_rescale").asDouble())
                .seed(o.get("seed").asLong()).scheduler(str(o, "scheduler")).width(integer(o, "width"))
                .height(integer(o, "height")).samples(o.get("samples").asInt()).clipSkip(integer(o, "clip_skip"))
                .strength(o.get("strength").asDouble());
        String prediction = str(o, "prediction_type");
        JsonNode zeroSnr = o.get("rescale_betas_zero_snr");
        b.schedulerOverrides(new SchedulerOverrides(prediction == null ? null : PredictionType.parse(prediction),
                zeroSnr == null || zeroSnr.isNull() ? null : zeroSnr.asBoolean()));
        BufferedImage init = image(str(o, "init_image"));
        if (init != null) {
            b.initImage(init);
        }
        BufferedImage mask = image(str(o, "mask"));
        if (mask != null) {
            b.mask(mask);
        }
        JobOptions options = new JobOptions(List.of(), o.get("prompt_weighting").asBoolean(),
                str(o, "infotext_prompt"), str(o, "infotext_negative"), str(o, "vae"));
        return new Stored(b.build(), options, Images.Format.valueOf(o.get("format").asText()));
    }

    String result(GenerationResult r) {
        GenerationResult.UsedParameters p = r.parameters();
        ObjectNode o = json.createObjectNode();
        o.put("elapsed_ms", r.elapsedMillis());
        ObjectNode q = o.putObject("parameters");
        q.put("prompt", p.prompt());
        q.put("negative_prompt", p.negativePrompt());
        q.put("steps", p.steps());
        q.put("guidance_scale", p.guidanceScale());
        q.put("seed", p.seed());
        q.put("scheduler", p.scheduler());
        q.put("width", p.width());
        q.put("height", p.height());
        q.put("samples", p.samples());
        q.put("model", p.model());
        q.put("strength", p.strength());
        return o.toString();
    }

    long elapsedMillis(String result) {
        return read(result).get("elapsed_ms").asLong();
    }

    GenerationResult.UsedParameters parameters(String result) {
        JsonNode q = read(result).get("parameters");
        return new GenerationResult.UsedParameters(q.get("prompt").asText(), str(q, "negative_prompt"),
                q.get("steps").asInt(), q.get("guidance_scale").asDouble(), q.get("seed").asLong(),
                q.get("scheduler").asText(), q.get("width").asInt(), q.get("height").asInt(), q.get("samples").asInt(),
                q.get("model").asText(), q.hasNonNull("strength") ? q.get("strength").asDouble() : null);
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String str(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static String png(BufferedImage image) {
        if (image == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static BufferedImage image(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
