package dev.vega4j.conformance;

import dev.vega4j.rng.TorchGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.ConformanceGroup;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Golden group {@code rng}: {@code torch.randn} / {@code torch.rand} from a fresh {@code manual_seed} generator, and
 * sequences of draws from one generator ({@code sequence}/{@code draw}), which check that the cached double normal
 * survives between calls. Tolerances (golden README): rand and randn below 16 elements within 1 ulp, larger randn
 * abs 2e-6 (torch uses Sleef's vector log/sin/cos there).
 */
public final class RngConformance implements ConformanceGroup {
    @Override
    public String name() {
        return "rng";
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        List<CaseResult> results = new ArrayList<>();
        Map<String, List<GoldenCase>> sequences = new LinkedHashMap<>();
        for (GoldenCase c : group.cases()) {
            JsonNode seq = c.json().get("sequence");
            if (seq == null || seq.isNull()) {
                results.add(check(c, new TorchGenerator(seed(c))));
            } else {
                sequences.computeIfAbsent(seq.asText() + "/" + c.json().get("seed").asText(), k -> new ArrayList<>())
                        .add(c);
            }
        }
        for (List<GoldenCase> draws : sequences.values()) {
            draws.sort(Comparator.comparingInt(c -> c.json().get("draw").asInt()));
            TorchGenerator g = new TorchGenerator(seed(draws.getFirst()));
            for (GoldenCase c : draws) {
                results.add(check(c, g));
            }
        }
        return results;
    }

    private static long seed(GoldenCase c) {
        // seeds up to 2^64-1 are written as plain JSON integers
        return c.json().get("seed").bigIntegerValue().longValue();
    }

    private static CaseResult check(GoldenCase c, TorchGenerator g) {
        String key = c.json().get("key").asText();
        CaseResult r = new CaseResult(key);
        try {
            JsonNode shapeNode = c.json().get("shape");
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asInt();
            }
            String fn = c.json().get("fn").asText();
            Tensor ref = c.tensor(key);
            Tensor ours = switch (fn) {
                case "rand" -> g.rand(shape);
                case "randn" -> g.randn(shape);
                default -> throw new IllegalArgumentException("unknown rng function " + fn);
            };
            if (fn.equals("randn") && ours.numel() >= 16) {
                r.add(Comparison.maxAbs(key, ours, ref, 2e-6));
            } else {
                r.add(ulps(key, ours.data(), ref.data(), 1));
            }
        } catch (RuntimeException e) {
            r.fail(e.toString());
        }
        return r;
    }

    /** Worst distance in units in the last place of the reference; passes at {@code maxUlps} or below. */
    static Comparison ulps(String what, float[] a, float[] b, int maxUlps) {
        if (a.length != b.length) {
            return new Comparison(what, false, Double.POSITIVE_INFINITY, maxUlps, -1, Float.NaN, Float.NaN,
                    "length " + a.length + " vs reference " + b.length);
        }
        double worst = 0;
        int wi = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]) / Math.ulp(b[i]);
            if (!(d <= worst)) {
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                wi = i;
            }
        }
        return new Comparison(what, worst <= maxUlps, worst, maxUlps, wi, a.length == 0 ? 0 : a[wi],
                b.length == 0 ? 0 : b[wi], "ulps");
    }
}
