package dev.vega4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.pipeline.GenerationRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI's {@code POST /v1/images/generations}, so OpenAI SDKs work by changing the base URL. The key comes as
 * {@code Authorization: Bearer}. Images are always inline ({@code b64_json}, the default here since this server hosts
 * no files); {@code model} picks a loaded model when it names one and otherwise means the default model (SDKs send
 * "dall-e-2"). Beyond OpenAI's fields, {@code negative_prompt}, {@code seed}, {@code num_inference_steps},
 * {@code guidance_scale} and {@code scheduler} are accepted.
 */
final class OpenAiApi {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private final Generations gen;
    private final ObjectMapper json;

    OpenAiApi(Generations gen, ObjectMapper json) {
        this.gen = gen;
        this.json = json;
    }

    void register(Javalin app) {
        app.post("/v1/images/generations", this::generate);
    }

    GenerationRequest parse(Fields f) {
        GenerationRequest.Builder b = GenerationRequest.builder(f.prompt("prompt", true));
        b.negativePrompt(f.prompt("negative_prompt", false));
        Integer n = f.integer("n", 1, gen.config().maxSamples());
        if (n != null) {
            b.samples(n);
        }
        String size = f.string("size");
        if (size != null && !size.equals("auto")) {
            Matcher m = SIZE.matcher(size.strip());
            if (!m.matches()) {
                throw ApiException.badRequest("size must look like \"1024x1024\" (width x height), got '" + size + "'");
            }
            b.width(gen.side("size (width)", Integer.parseInt(m.group(1))));
            b.height(gen.side("size (height)", Integer.parseInt(m.group(2))));
        }
        String format = f.string("response_format");
        if (format != null && !format.equals("b64_json")) {
            throw ApiException.badRequest("response_format must be b64_json (this server returns images inline and"
                    + " hosts no image URLs), got '" + format + "'");
        }
        gen.sampling(f, b, "num_inference_steps", "guidance_scale");
        Generations.scheduler(f, b, "scheduler");
        return Generations.build(b);
    }

    private void generate(Context ctx) {
        Caller caller = gen.authenticate(ctx);
        gen.rateLimit(caller);
        Fields f = Fields.parse(json, gen.body(ctx));
        String name = f.string("model");
        String model = name != null && gen.engine().models().containsKey(name) ? name
                : gen.engine().defaultModel();
        GenerationRequest req = parse(f);
        String outputFormat = f.string("output_format");
        Images.Format format = outputFormat == null ? Images.Format.PNG
                : Images.Format.parse("output_format", outputFormat);
        Job job = gen.runSync(ctx, caller, model, req, format);
        if (job == null) {
            return;
        }
        ObjectNode out = json.createObjectNode();
        out.put("created", job.finishedMillis() / 1000);
        ArrayNode data = out.putArray("data");
        for (byte[] img : job.encodedImages()) {
            ObjectNode d = data.addObject();
            d.put("b64_json", Images.base64(img));
            d.put("revised_prompt", req.prompt());
        }
        ctx.json(out);
    }
}
