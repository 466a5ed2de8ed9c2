package dev.vega4j.conformance;

import dev.vega4j.pipeline.AddTimeIds;
import dev.vega4j.pipeline.PromptEmbeddings;
import dev.vega4j.pipeline.PromptEncoder;
import dev.vega4j.pipeline.PromptEncoders;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.ConformanceGroup;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cases/encode_prompt}: {@code encode_prompt(prompt, num_images_per_prompt, do_classifier_free_guidance=True,
 * negative_prompt, [prompt_2, negative_prompt_2, clip_skip])} of each case's pipeline folder, compared at the text
 * encoder tolerance {@code max|d| <= 1e-4 * max(1, max|ref|)}; plus the manifest's top-level {@code add_time_ids}
 * entries (exact).
 */
public final class EncodePromptConformance implements ConformanceGroup {
    static final double TOL = 1e-4;

    @Override
    public String name() {
        return "encode_prompt";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<Path, PromptEncoder> cache = new HashMap<>();
        List<CaseResult> results = new ArrayList<>(ConformanceGroup.checkEachCase(group, c -> runCase(c, cache)));
        JsonNode ati = group.manifest().get("add_time_ids");
        if (ati != null && ati.isArray()) {
            CaseResult r = new CaseResult("add_time_ids");
            int i = 0;
            for (JsonNode e : ati) {
                JsonNode o = e.get("original_size"), c = e.get("crops_coords_top_left"), t = e.get("target_size");
                float[] ours = AddTimeIds.of(o.get(0).asInt(), o.get(1).asInt(), c.get(0).asInt(), c.get(1).asInt(),
                        t.get(0).asInt(), t.get(1).asInt());
                float[] ref = new float[e.get("add_time_ids").size()];
                for (int k = 0; k < ref.length; k++) {
                    ref[k] = (float) e.get("add_time_ids").get(k).asDouble();
                }
                r.add(Comparison.exact("add_time_ids[" + i++ + "]", ours, ref));
            }
            results.add(r);
        }
        return results;
    }

    private static CaseResult runCase(GoldenCase c, Map<Path, PromptEncoder> cache) {
        CaseResult r = new CaseResult(c.id());
        PromptEncoder enc = cache.computeIfAbsent(c.modelDir(), d -> PromptEncoders.load(PipelineFolder.open(d)));
        JsonNode a = c.json().get("args");
        boolean cfg = c.json().path("do_classifier_free_guidance").asBoolean(true);
        PromptEmbeddings pe = enc.encode(text(a, "prompt"), text(a, "prompt_2"), text(a, "negative_prompt"),
                text(a, "negative_prompt_2"), a.path("num_images_per_prompt").asInt(1), cfg,
                a.hasNonNull("clip_skip") ? a.get("clip_skip").asInt() : null);
        compare(r, c, "prompt_embeds", pe.promptEmbeds());
        compare(r, c, "negative_prompt_embeds", pe.negativePromptEmbeds());
        compare(r, c, "pooled_prompt_embeds", pe.pooledPromptEmbeds());
        compare(r, c, "negative_pooled_prompt_embeds", pe.negativePooledPromptEmbeds());
        return r;
    }

    private static void compare(CaseResult r, GoldenCase c, String key, Tensor ours) {
        if (!c.has(key)) {
            return;
        }
        if (ours == null) {
            r.fail(key + ": not produced");
            return;
        }
        r.add(Comparison.absScaled(key, ours, c.tensor(key), TOL));
    }

    static String text(JsonNode args, String key) {
        JsonNode v = args.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
