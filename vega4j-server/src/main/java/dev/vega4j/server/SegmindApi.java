package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.lora.VegaRt;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Segmind's API: {@code POST /v1/{model}} answers with the image (or JSON with base64 images), {@code POST
 * /v2/{model}} queues the job and answers {@code {request_id, status_url}}; {@code GET /v2/requests/{id}} polls it and
 * {@code GET /v2/requests/{id}/events} streams its progress as server-sent events.
 */
final class SegmindApi {
    private final Generations gen;
    private final ObjectMapper json;

    SegmindApi(Generations gen, ObjectMapper json) {
        this.gen = gen;
        this.json = json;
    }

    void register(Javalin app) {
        app.post("/v1/{model}", this::sync);
        app.post("/v2/{model}", this::async);
        app.get("/v2/requests/{id}", this::status);
        app.get("/v2/requests/{id}/events", this::events);
    }

    /** A parsed Segmind request: the generation and how to answer. */
    record Parsed(GenerationRequest request, JobOptions options, boolean base64, Images.Format format) {}

    Parsed parse(Fields f) {
        return parse(f, null);
    }

    /**
     * Parses for {@code model}: the VegaRT model ({@link VegaRt#SLUG}, served by {@code vega serve --preset vegart})
     * defaults to LCM, 4 steps, guidance 1 and accepts 4–10 steps, as Segmind's VegaRT API does.
     */
    Parsed parse(Fields f, String model) {
        boolean vegaRt = VegaRt.SLUG.equals(model);
        String prompt = f.prompt("prompt", true);
        GenerationRequest.Builder b = GenerationRequest.builder(prompt);
        if (vegaRt) {
            VegaRt.apply(b);
        }
        b.negativePrompt(f.prompt("negative_prompt", false));
        Integer samples = f.integer("samples", 1, gen.config().maxSamples());
        if (samples != null) {
            b.samples(samples);
        }
        Generations.scheduler(f, b, "scheduler");
        Generations.schedulerOverrides(f, b);
        if (vegaRt) {
            // VegaRT's narrower range, checked first so the message names it; sampling() then reads the same value
            f.integer("num_inference_steps", VegaRt.MIN_STEPS, VegaRt.MAX_STEPS);
        }
        gen.sampling(f, b, "num_inference_steps", "guidance_scale");
        b.width(gen.side("img_width", f.integer("img_width", Integer.MIN_VALUE, Integer.MAX_VALUE)));
        b.height(gen.side("img_height", f.integer("img_height", Integer.MIN_VALUE, Integer.MAX_VALUE)));
        String init = f.string("init_image");
        if (init != null) {
            b.initImage(Images.decodeBase64("init_image", init, gen.config().maxSide()));
            Double strength = f.number("strength", 0.01, 1);
            if (strength != null) {
                b.strength(strength);
            }
            // inpainting: white = repaint (diffusers' convention; the mask is binarised at 0.5)
            String maskField = f.has("mask") ? "mask" : "mask_image";
            String mask = f.string(maskField);
            if (mask != null) {
                b.mask(Images.decodeBase64(maskField, mask, gen.config().maxSide()));
            }
        } else if (f.has("strength")) {
            f.number("strength", 0.01, 1);
        }
        if (init == null && (f.has("mask") || f.has("mask_image"))) {
            throw ApiException.badRequest((f.has("mask") ? "mask" : "mask_image") + " needs init_image (inpainting"
                    + " repaints the white part of the mask in init_image)");
        }
        JobOptions options = options(f, prompt);
        Boolean base64 = f.bool("base64");
        String fmt = f.has("img_format") ? f.string("img_format") : f.string("format");
        Images.Format format = fmt == null ? Images.Format.JPEG
                : Images.Format.parse(f.has("img_format") ? "img_format" : "format", fmt);
        return new Parsed(Generations.build(b), options, base64 != null && base64, format);
    }

    /**
     * {@code lora} (adapters of the server's library, see {@link LoraRequests#fromJson}) and {@code prompt_weighting}
     * (A1111 emphasis syntax and 75-token chunks; default off = diffusers). The infotext shows the adapters as A1111
     * {@code <lora:name:scale>} tags after the prompt, so A1111 reproduces the image from it.
     */
    private JobOptions options(Fields f, String prompt) {
        List<LoraUse> loras = LoraRequests.fromJson(f, gen.engine().loras());
        Boolean weighting = f.bool("prompt_weighting");
        String infotextPrompt = null;
        if (!loras.isEmpty()) {
            StringBuilder sb = new StringBuilder(prompt);
            for (LoraUse u : loras) {
                sb.append(' ').append(u.tag());
            }
            infotextPrompt = sb.toString();
        }
        // "vae": an autoencoder the operator registered (vega serve --vae NAME=...); the engine checks the name
        return new JobOptions(loras, weighting != null && weighting, infotextPrompt, null, f.string("vae"));
    }

    private String model(Context ctx) {
        String model = ctx.pathParam("model");
        gen.engine().requireModel(model);
        return model;
    }

    private void sync(Context ctx) {
        Caller caller = gen.authenticate(ctx);
        String model = model(ctx);
        gen.rateLimit(caller);
        Parsed p = parse(Fields.parse(json, gen.body(ctx)), model);
        Job job = gen.runSync(ctx, caller, model, p.request(), p.options(), p.format());
        if (job == null) {
            return;
        }
        ctx.header("x-request-id", job.id());
        ctx.header("x-generation-time", String.format(java.util.Locale.ROOT, "%.3f",
                job.result().elapsedMillis() / 1000.0));
        List<byte[]> images = job.encodedImages();
        if (!p.base64() && images.size() == 1) {
            ctx.contentType(p.format().mime).result(images.get(0));
        } else {
            ctx.json(resultJson(job));
        }
    }

    private void async(Context ctx) {
        Caller caller = gen.authenticate(ctx);
        String model = model(ctx);
        gen.rateLimit(caller);
        Parsed p = parse(Fields.parse(json, gen.body(ctx)), model);
        Generations.Submitted s = gen.submit(caller, model, p.request(), p.options(), p.format());
        Generations.creditsHeader(ctx, s.remainingCredits());
        Generations.seedHeader(ctx, s.job());
        ObjectNode out = json.createObjectNode();
        out.put("request_id", s.job().id());
        out.put("status", s.job().state().name());
        String host = ctx.host() != null ? ctx.host() : "127.0.0.1:" + ctx.port();
        out.put("status_url", ctx.scheme() + "://" + host + "/v2/requests/" + s.job().id());
        ctx.status(200).json(out);
    }

    private Job ownedJob(Context ctx) {
        Caller caller = gen.authenticate(ctx);
        Job job = gen.engine().find(ctx.pathParam("id")).orElse(null);
        if (job == null || !caller.owns(job)) {
            throw new ApiException(404, "not_found", "unknown or expired request id '" + ctx.pathParam("id")
                    + "' (results are kept for " + gen.config().resultTtl().toMinutes() + " minutes)");
        }
        return job;
    }

    private void status(Context ctx) {
        ctx.json(statusJson(ownedJob(ctx)));
    }

    /** The poll answer: state, queue position, step progress; the result or the error once final. */
    ObjectNode statusJson(Job job) {
        ObjectNode out = json.createObjectNode();
        out.put("request_id", job.id());
        out.put("status", job.state().name());
        out.put("model", job.model());
        out.put("created_at", Instant.ofEpochMilli(job.createdMillis()).toString());
        if (job.state() == JobState.QUEUED) {
            out.put("position", gen.engine().position(job));
        }
        putOptions(json, out, job.options());
        ObjectNode progress = out.putObject("progress");
        progress.put("step", job.step());
        progress.put("total", job.total());
        String preview = job.preview();
        if (preview != null) {
            out.put("preview", preview);
        }
        switch (job.state()) {
            case COMPLETED -> out.set("result", resultJson(job));
            case FAILED -> {
                out.put("error", job.error());
                out.set("failure", failureJson(json, job.failure()));
            }
            default -> { }
        }
        return out;
    }

    /**
     * Why a job failed, with the meaning a synchronous request gets ({@link ApiException#of}): {@code {"kind":
     * "model_failure", "reason": "internal_error", "status": 500, "client_error": false}}. A client retries only what
     * is not its fault, and reports the server's failures to the operator.
     */
    static ObjectNode failureJson(ObjectMapper json, JobFailure failure) {
        ApiException http = ApiException.of(failure);
        ObjectNode o = json.createObjectNode();
        o.put("kind", failure.kind().name().toLowerCase(java.util.Locale.ROOT));
        o.put("reason", http.reason());
        o.put("status", http.status());
        o.put("client_error", failure.kind().clientFault());
        o.put("message", failure.message());
        return o;
    }

    /** {@code {"image": first, "images": [...], "seed": ..., "parameters": {...}}}. */
    ObjectNode resultJson(Job job) {
        ObjectNode out = json.createObjectNode();
        List<byte[]> images = job.encodedImages();
        ArrayNode arr = out.putArray("images");
        for (byte[] img : images) {
            arr.add(Images.base64(img));
        }
        if (!images.isEmpty()) {
            out.put("image", Images.base64(images.get(0)));
        }
        out.put("format", job.format().name().toLowerCase(java.util.Locale.ROOT));
        out.put("seed", job.result().parameters().seed());
        ObjectNode params = parametersJson(json, job.result().parameters());
        putOptions(json, params, job.options());
        params.put("infotext", job.infotext());
        out.set("parameters", params);
        return out;
    }

    /** {@code "lora": [{"name", "scale"}...], "prompt_weighting": bool}: what the job applied. */
    static void putOptions(ObjectMapper json, ObjectNode out, JobOptions options) {
        ArrayNode arr = out.putArray("lora");
        for (LoraUse u : options.loras()) {
            ObjectNode o = arr.addObject();
            o.put("name", u.name());
            if (u.uniform()) {
                o.put("scale", u.unetScale());
            } else {
                o.put("text_encoder_scale", u.textEncoderScale());
                o.put("unet_scale", u.unetScale());
            }
            o.put("hash", u.hash());
        }
        out.put("prompt_weighting", options.promptWeighting());
    }

    static ObjectNode parametersJson(ObjectMapper json, GenerationResult.UsedParameters p) {
        ObjectNode o = json.createObjectNode();
        o.put("prompt", p.prompt());
        o.put("negative_prompt", p.negativePrompt());
        o.put("num_inference_steps", p.steps());
        o.put("guidance_scale", p.guidanceScale());
        o.put("seed", p.seed());
        o.put("scheduler", p.scheduler());
        o.put("img_width", p.width());
        o.put("img_height", p.height());
        o.put("samples", p.samples());
        o.put("model", p.model());
        if (p.strength() != null) {
            o.put("strength", p.strength());
        }
        o.put("infotext", p.a1111Infotext());
        return o;
    }

    /**
     * Server-sent events: {@code progress} on every change, {@code preview} with each new live preview ({@code {step,
     * total, image}}, the image a JPEG data URL), then one {@code done} event carrying the same JSON as
     * the status poll (with the images), then the stream ends. A comment every 15 s keeps proxies from timing out and
     * reveals a vanished client (the write fails), which ends the loop.
     */
    private void events(Context ctx) throws IOException {
        Job job = ownedJob(ctx);
        ctx.status(200);
        ctx.res().setContentType("text/event-stream;charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        long seen = -1;
        String previewSent = null;
        try {
            while (true) {
                long v = job.version();
                if (job.state().isFinal()) {
                    send(out, "done", json.writeValueAsString(statusJson(job)));
                    return;
                }
                if (v != seen) {
                    ObjectNode o = json.createObjectNode();
                    o.put("status", job.state().name());
                    o.put("step", job.step());
                    o.put("total", job.total());
                    if (job.state() == JobState.QUEUED) {
                        o.put("position", gen.engine().position(job));
                    }
                    send(out, "progress", json.writeValueAsString(o));
                    seen = v;
                }
                String preview = job.preview();
                if (preview != null && !preview.equals(previewSent)) {
                    ObjectNode o = json.createObjectNode();
                    o.put("step", job.step());
                    o.put("total", job.total());
                    o.put("image", preview);
                    send(out, "preview", json.writeValueAsString(o));
                    previewSent = preview;
                }
                if (job.awaitChange(v, 15_000) == v && !job.state().isFinal()) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away; nothing left to do.
        }
    }

    private static void send(OutputStream out, String event, String data) throws IOException {
        out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
