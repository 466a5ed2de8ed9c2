package dev.vega4j.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.tensor.Tensor;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cases/unet}: runs the case's UNet on its inputs and compares every hooked feature ({@code feat.*}) and the
 * output at {@code max|d| / max|ref| <= 1e-4}, in computation order, so the first failing comparison is where a bug
 * starts. A feature the case has but the model never produced is a failure too.
 */
public final class UNetGroup implements ConformanceGroup {
    static final double TOLERANCE = 1e-4;

    @Override
    public String name() {
        return "unet";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<String, UNet2DConditionModel> models = new HashMap<>();
        return ConformanceGroup.checkEachCase(group, c -> check(c, models.computeIfAbsent(c.model(),
                k -> UNet2DConditionModel.load(c.modelDir().resolve("unet")))));
    }

    static CaseResult check(GoldenCase c, UNet2DConditionModel m) {
        Tensor sample = c.tensor("in.sample");
        float[] t = c.tensor("in.timestep").data();
        Tensor ehs = c.tensor("in.encoder_hidden_states");
        UNet2DConditionModel.AddedConditions added = c.has("in.text_embeds")
                ? new UNet2DConditionModel.AddedConditions(c.tensor("in.text_embeds"), c.tensor("in.time_ids"))
                : null;
        Map<String, Tensor> features = new LinkedHashMap<>();
        Tensor out = m.forward(sample, t, ehs, added, features::put);

        CaseResult r = new CaseResult(c.id());
        for (Map.Entry<String, Tensor> e : features.entrySet()) {
            String key = "feat." + e.getKey();
            if (c.has(key)) {
                r.add(Comparison.maxRel(key, e.getValue(), c.tensor(key), TOLERANCE));
            }
        }
        r.add(Comparison.maxRel("out.sample", out, c.tensor("out.sample"), TOLERANCE));
        JsonNode keys = c.json().get("tensors");
        if (keys != null) {
            for (Iterator<String> it = keys.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (k.startsWith("feat.") && !features.containsKey(k.substring(5))) {
                    r.fail("the model produced no feature '" + k.substring(5) + "' (the case has it)");
                }
            }
        }
        return r;
    }
}
