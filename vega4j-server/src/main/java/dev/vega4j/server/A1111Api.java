package dev.vega4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.Pipeline;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The subset of AUTOMATIC1111's web UI API that clients (Krita/Photoshop plug-ins, bots, scripts) use: txt2img,
 * img2img, samplers, models, progress and interrupt. Images come back as base64 PNG with the {@code parameters} chunk,
 * and {@code info} is a JSON string, as A1111 sends it. Unset fields take the model's defaults rather than A1111's
 * (A1111 would draw 512² with 20 steps even on an SDXL model).
 */
final class A1111Api {
    private final Generations gen;
    private final ObjectMapper json;

    A1111Api(Generations gen, ObjectMapper json) {
        this.gen = gen;
        this.json = json;
    }

    void register(Javalin app) {
        app.post("/sdapi/v1/txt2img", ctx -> generate(ctx, false));
        app.post("/sdapi/v1/img2img", ctx -> generate(ctx, true));
        app.get("/sdapi/v1/samplers", this::samplers);
        app.get("/sdapi/v1/sd-models", this::models);
        app.get("/sdapi/v1/progress", this::progress);
        app.post("/sdapi/v1/interrupt", this::interrupt);
        app.get("/sdapi/v1/loras", this::loras);
        app.post("/sdapi/v1/refresh-loras", this::refreshLoras);
    }

    private String model(Fields f) {
        JsonNode o = f.node("override_settings");
        if (o != null && o.isObject() && o.hasNonNull("sd_model_checkpoint")) {
            String name = o.get("sd_model_checkpoint").asText();
            if (!gen.engine().models().containsKey(name)) {
                throw ApiException.badRequest("override_settings.sd_model_checkpoint: no model '" + name
                        + "'; loaded: " + String.join(", ", gen.engine().models().keySet()));
            }
            return name;
        }
        return gen.engine().defaultModel();
    }

    /** A parsed A1111 request: the generation, and its LoRA tags and prompt handling. */
    record Parsed(GenerationRequest request, JobOptions options) {}

    /**
     * A1111's fields. {@code <lora:name:weight>} tags are taken out of the prompt and the negative prompt and applied
     * (see {@link LoraRequests#fromPrompt}); prompts are encoded with A1111's emphasis syntax and 75-token chunks,
     * as A1111 does, where the model supports it ({@link GenerationEngine#promptWeighting}).
     */
    Parsed parse(Fields f, boolean img2img, String model) {
        String prompt = f.prompt("prompt", true);
        String negative = f.prompt("negative_prompt", false);
        LoraRequests.Extracted p = LoraRequests.fromPrompt("prompt", prompt, gen.engine().loras());
        LoraRequests.Extracted n = LoraRequests.fromPrompt("negative_prompt", negative, gen.engine().loras());
        java.util.List<LoraUse> loras = new java.util.ArrayList<>(p.loras());
        loras.addAll(n.loras());
        if (loras.size() > LoraRequests.MAX_PER_REQUEST) {
            throw ApiException.badRequest("at most " + LoraRequests.MAX_PER_REQUEST + " LoRA adapters per request, got "
                    + loras.size());
        }
        boolean tags = !loras.isEmpty() || !p.text().equals(prompt) || negative != null && !n.text().equals(negative);
        JobOptions options = new JobOptions(loras, gen.engine().promptWeighting(model), tags ? prompt : null,
                tags ? negative : null);
        GenerationRequest.Builder b = GenerationRequest.builder(p.text());
        b.negativePrompt(n.text());
        gen.sampling(f, b, "steps", "cfg_scale");
        String sampler = f.has("sampler_name") ? f.string("sampler_name") : f.string("sampler_index");
        if (sampler != null) {
            b.scheduler(SchedulerNames.check(f.has("sampler_name") ? "sampler_name" : "sampler_index", sampler));
        }
        Generations.schedulerOverrides(f, b);
        b.width(gen.side("width", f.integer("width", Integer.MIN_VALUE, Integer.MAX_VALUE)));
        b.height(gen.side("height", f.integer("height", Integer.MIN_VALUE, Integer.MAX_VALUE)));
        int batch = opt(f.integer("batch_size", 1, gen.config().maxSamples()), 1);
        int iter = opt(f.integer("n_iter", 1, gen.config().maxSamples()), 1);
        if (batch * iter > gen.config().maxSamples()) {
            throw ApiException.badRequest("batch_size x n_iter must be at most " + gen.config().maxSamples()
                    + ", got " + batch * iter);
        }
        b.samples(batch * iter);
        Integer clipSkip = f.integer("clip_skip", 0, 10);
        if (clipSkip != null) {
            b.clipSkip(clipSkip);
        }
        if (img2img) {
            JsonNode init = f.node("init_images");
            if (init == null || !init.isArray() || init.isEmpty() || !init.get(0).isTextual()) {
                throw ApiException.badRequest("init_images must be an array with one base64 image");
            }
            b.initImage(Images.decodeBase64("init_images[0]", init.get(0).textValue(), gen.config().maxSide()));
            Double strength = f.number("denoising_strength", 0.01, 1);
            b.strength(strength != null ? strength : 0.75);
            String mask = f.string("mask");
            if (mask != null) {
                b.mask(inpaintMask(f, Images.decodeBase64("mask", mask, gen.config().maxSide())));
            }
        }
        return new Parsed(Generations.build(b), options);
    }

    /**
     * A1111's inpainting mask options: {@code inpainting_mask_invert} 1 repaints the black part instead of the white.
     * {@code mask_blur} is read (and checked) but has no effect: diffusers binarises the mask at 0.5, where a blur
     * would only round its corners. {@code inpainting_fill} / {@code inpaint_full_res} are A1111 specifics, ignored.
     */
    private static java.awt.image.BufferedImage inpaintMask(Fields f, java.awt.image.BufferedImage mask) {
        f.integer("mask_blur", 0, 64);
        Integer invert = f.integer("inpainting_mask_invert", 0, 1);
        if (invert == null || invert == 0) {
            return mask;
        }
        // the grey levels the pipeline reads (VaeImageProcessor: a grey image's samples as they are, else PIL's
        // RGB -> L luma in fixed point; never getRGB on a grey image, which converts its colour space), inverted
        int w = mask.getWidth(), h = mask.getHeight();
        int[] gray = new int[w * h];
        var in = mask.getRaster();
        if (in.getNumBands() == 1 && !(mask.getColorModel() instanceof java.awt.image.IndexColorModel)) {
            int bits = mask.getColorModel().getComponentSize(0);
            in.getSamples(0, 0, w, h, 0, gray);
            for (int i = 0; i < gray.length; i++) {
                gray[i] = bits > 8 ? gray[i] >> (bits - 8) : gray[i];
            }
        } else {
            int[] argb = mask.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                int r = argb[i] >> 16 & 0xff, g = argb[i] >> 8 & 0xff, b = argb[i] & 0xff;
                gray[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
            }
        }
        var out = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < gray.length; i++) {
            gray[i] = 255 - gray[i];
        }
        out.getRaster().setSamples(0, 0, w, h, 0, gray);
        return out;
    }

    private static int opt(Integer v, int dflt) {
        return v == null ? dflt : v;
    }

    private void generate(Context ctx, boolean img2img) throws JsonProcessingException {
        Caller caller = gen.authenticate(ctx);
        gen.rateLimit(caller);
        Fields f = Fields.parse(json, gen.body(ctx));
        String model = model(f);
        Parsed req = parse(f, img2img, model);
        Job job = gen.runSync(ctx, caller, model, req.request(), req.options(), Images.Format.PNG);
        if (job == null) {
            return;
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode images = out.putArray("images");
        job.encodedImages().forEach(img -> images.add(Images.base64(img)));
        ObjectNode params = f.node("prompt") != null ? echo(f) : json.createObjectNode();
        out.set("parameters", params);
        out.put("info", json.writeValueAsString(info(job)));
        ctx.json(out);
    }

    /** The request as sent, minus the (large) init images, as A1111 echoes it. */
    private ObjectNode echo(Fields f) {
        ObjectNode copy = json.createObjectNode();
        for (String name : new String[] {"prompt", "negative_prompt", "steps", "cfg_scale", "seed", "sampler_name",
                "width", "height", "batch_size", "n_iter", "denoising_strength"}) {
            if (f.has(name)) {
                copy.set(name, f.node(name));
            }
        }
        return copy;
    }

    /** A1111's {@code info}: the generation's parameters under A1111's names, including its infotexts. */
    private ObjectNode info(Job job) {
        GenerationResult.UsedParameters p = job.result().parameters();
        int n = job.encodedImages().size();
        // A1111 reports the prompts as sent, <lora:...> tags included
        String prompt = job.options().infotextPrompt() != null ? job.options().infotextPrompt() : p.prompt();
        String negative = job.options().infotextNegative() != null ? job.options().infotextNegative()
                : p.negativePrompt() == null ? "" : p.negativePrompt();
        String infotext = job.infotext();
        ObjectNode o = json.createObjectNode();
        o.put("prompt", prompt);
        ArrayNode prompts = o.putArray("all_prompts");
        ArrayNode negatives = o.putArray("all_negative_prompts");
        ArrayNode seeds = o.putArray("all_seeds");
        ArrayNode infotexts = o.putArray("infotexts");
        for (int i = 0; i < n; i++) {
            prompts.add(prompt);
            negatives.add(negative);
            seeds.add(p.seed());
            infotexts.add(infotext);
        }
        o.put("negative_prompt", negative);
        o.put("seed", p.seed());
        o.put("subseed", -1);
        o.put("subseed_strength", 0);
        o.put("width", p.width());
        o.put("height", p.height());
        o.put("sampler_name", p.scheduler());
        o.put("cfg_scale", p.guidanceScale());
        o.put("steps", p.steps());
        o.put("batch_size", n);
        o.put("restore_faces", false);
        o.put("sd_model_name", p.model());
        o.put("sd_model_hash", (String) null);
        if (p.strength() != null) {
            o.put("denoising_strength", p.strength());
        }
        o.put("clip_skip", job.request().clipSkip() == null ? 1 : job.request().clipSkip());
        o.put("job_timestamp", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")));
        o.put("version", "vega4j");
        ObjectNode extra = o.putObject("extra_generation_params");
        if (!job.options().loras().isEmpty()) {
            java.util.LinkedHashMap<String, String> hashes = new java.util.LinkedHashMap<>();
            job.options().loras().forEach(u -> hashes.putIfAbsent(u.name().replace(",", ""), u.hash()));
            StringBuilder sb = new StringBuilder();
            hashes.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(": ").append(v));
            extra.put("Lora hashes", sb.toString());
        }
        return o;
    }

    /**
     * {@code GET /sdapi/v1/loras}: A1111's listing, {@code [{"name", "alias", "path", "metadata"}]}. The path is
     * relative to the operator's LoRA folder (A1111 shows the absolute one; this server does not reveal its layout).
     */
    private void loras(Context ctx) {
        gen.authenticate(ctx);
        LoraLibrary lib = gen.engine().loras();
        ArrayNode arr = json.createArrayNode();
        for (LoraLibrary.Entry e : lib.entries()) {
            ObjectNode o = arr.addObject();
            o.put("name", e.name());
            o.put("alias", lib.alias(e));
            o.put("path", e.display());
            o.set("metadata", json.valueToTree(lib.metadata(e)));
        }
        ctx.json(arr);
    }

    /** {@code POST /sdapi/v1/refresh-loras}: re-reads the LoRA folders. */
    private void refreshLoras(Context ctx) {
        gen.authenticate(ctx);
        gen.engine().loras().refresh();
        ctx.json(json.nullNode());
    }

    private void samplers(Context ctx) {
        gen.authenticate(ctx);
        ArrayNode arr = json.createArrayNode();
        for (String name : SchedulerNames.names()) {
            ObjectNode s = arr.addObject();
            s.put("name", name);
            s.putArray("aliases");
            s.putObject("options");
        }
        ctx.json(arr);
    }

    private void models(Context ctx) {
        gen.authenticate(ctx);
        ArrayNode arr = json.createArrayNode();
        for (Map.Entry<String, Pipeline.ModelInfo> e : gen.engine().models().entrySet()) {
            Pipeline.ModelInfo info = e.getValue();
            ObjectNode m = arr.addObject();
            m.put("title", e.getKey());
            m.put("model_name", e.getKey());
            m.put("hash", (String) null);
            m.put("sha256", (String) null);
            m.put("filename", info.name());
            m.put("config", (String) null);
            m.put("family", info.family().name());
            m.put("default_width", info.defaultWidth());
            m.put("default_height", info.defaultHeight());
            m.put("default_scheduler", info.defaultScheduler());
            m.put("prompt_weighting", gen.engine().promptWeighting(e.getKey()));
            m.put("lora", gen.engine().takesLora(e.getKey()));
        }
        ctx.json(arr);
    }

    /** Progress of the job currently running (A1111 reports the one global job). */
    private void progress(Context ctx) {
        gen.authenticate(ctx);
        Job job = gen.engine().current().orElse(null);
        ObjectNode out = json.createObjectNode();
        ObjectNode state = json.createObjectNode();
        double fraction = 0;
        double eta = 0;
        if (job != null && job.total() > 0) {
            fraction = Math.min(1, job.step() / (double) job.total());
            double elapsed = (System.currentTimeMillis() - job.startedMillis()) / 1000.0;
            eta = job.step() > 0 ? elapsed / job.step() * (job.total() - job.step()) : gen.engine().averageJobSeconds();
        }
        out.put("progress", fraction);
        out.put("eta_relative", eta);
        state.put("skipped", false);
        state.put("interrupted", job != null && job.cancellation().isCancelled());
        state.put("job", job == null ? "" : job.id());
        state.put("job_count", gen.engine().queueDepth() + (job == null ? 0 : 1));
        state.put("job_timestamp", job == null ? "0" : Long.toString(job.startedMillis()));
        state.put("job_no", 0);
        state.put("sampling_step", job == null ? 0 : job.step());
        state.put("sampling_steps", job == null ? 0 : job.total());
        out.set("state", state);
        // A1111 sends the live preview as bare base64 (no data: prefix)
        String preview = job == null ? null : job.preview();
        if (preview != null) {
            out.put("current_image", preview.substring(preview.indexOf(',') + 1));
        } else {
            out.putNull("current_image");
        }
        out.putNull("textinfo");
        ctx.json(out);
    }

    /** Stops the running job, if the caller submitted it. */
    private void interrupt(Context ctx) {
        Caller caller = gen.authenticate(ctx);
        gen.engine().current().filter(caller::owns)
                .ifPresent(j -> gen.engine().cancel(j, "interrupted via /sdapi/v1/interrupt"));
        ctx.json(json.createObjectNode());
    }
}
