package dev.vega4j.conformance;

import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.models.vae.DiagonalGaussianDistribution;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cases/vae}: {@code decode} compares {@code out.sample}; {@code encode} compares the posterior's
 * {@code out.mean}, {@code out.logvar}, {@code out.std}; all at {@code max|d| / max|ref| <= 1e-4}.
 */
public final class VaeGroup implements ConformanceGroup {
    static final double TOLERANCE = 1e-4;

    @Override
    public String name() {
        return "vae";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        Map<String, AutoencoderKL> models = new HashMap<>();
        return ConformanceGroup.checkEachCase(group, c -> check(c, models.computeIfAbsent(c.model(),
                k -> AutoencoderKL.load(c.modelDir().resolve("vae")))));
    }

    static CaseResult check(GoldenCase c, AutoencoderKL vae) {
        CaseResult r = new CaseResult(c.id());
        String op = c.json().path("op").asText();
        switch (op) {
            case "decode" -> r.add(Comparison.maxRel("out.sample", vae.decode(c.tensor("in.latents")),
                    c.tensor("out.sample"), TOLERANCE));
            case "encode" -> {
                DiagonalGaussianDistribution d = vae.encode(c.tensor("in.image"));
                r.add(Comparison.maxRel("out.mean", d.mean(), c.tensor("out.mean"), TOLERANCE));
                r.add(Comparison.maxRel("out.logvar", d.logvar(), c.tensor("out.logvar"), TOLERANCE));
                r.add(Comparison.maxRel("out.std", d.std(), c.tensor("out.std"), TOLERANCE));
            }
            default -> r.fail("unknown vae op '" + op + "'");
        }
        return r;
    }
}
