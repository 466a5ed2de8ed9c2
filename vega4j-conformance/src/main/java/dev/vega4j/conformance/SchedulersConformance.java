package dev.vega4j.conformance;

import dev.vega4j.schedulers.Scheduler;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.schedulers.StepOutput;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.CaseResult;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.ConformanceGroup;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden group {@code schedulers}: every run rebuilds its scheduler from the manifest's resolved config, checks the
 * schedule (timesteps, sigmas, init_noise_sigma at rel 1e-6), then replays the README loop with the synthetic model
 * {@code eps = xin*a + b} ({@code a = float32(0.3 cos(t/300))}, {@code b = float32(0.1 sin(t/50))}) and a fresh
 * generator {@code seed+1+i} per step, comparing every {@code xin}, {@code x} and {@code pred_original_sample}.
 * Tolerance per element {@code 1e-5 + 1e-5|ref|}; {@code 1e-4} for 50-step and stochastic runs.
 */
public class SchedulersConformance implements ConformanceGroup {
    @Override
    public String name() {
        return "schedulers";
    }

    /**
     * Golden group {@code schedulers_ext}: the same loop and checks for the options the defaults never reach
     * (v-prediction, zero terminal SNR, thresholding, sample prediction, solver orders and algorithm variants).
     */
    public static final class Extended extends SchedulersConformance {
        @Override
        public String name() {
            return "schedulers_ext";
        }
    }

    @Override
    public List<CaseResult> run(GoldenGroup group) {
        long seed = group.manifest().path("seed").asLong(1234);
        List<CaseResult> out = new ArrayList<>();
        for (GoldenCase c : group.cases()) {
            out.add(runCase(c, seed));
        }
        return out;
    }

    static CaseResult runCase(GoldenCase c, long seed) {
        JsonNode j = c.json();
        String run = j.get("run").asText();
        String id = j.path("variant").asText(j.path("class").asText()) + "/" + run;
        CaseResult r = new CaseResult(id);
        if (j.hasNonNull("error")) {
            return r; // diffusers rejected this combination; nothing to compare
        }
        try {
            SchedulerType type = SchedulerType.forClassName(j.get("class").asText());
            if (type == null) {
                return r.fail("unknown scheduler class " + j.get("class").asText());
            }
            Scheduler s = type.create(SchedulerConfig.fromJson(type, j.get("config"), null));
            int n = j.get("num_inference_steps").asInt();
            s.setTimesteps(n);
            double[] ts = s.timesteps();
            r.add(rel(id + " timesteps", ts, doubles(j.get("timesteps"))));
            if (j.hasNonNull("sigmas")) {
                float[] sg = s.sigmas();
                double[] sd = sg == null ? new double[0] : new double[sg.length];
                for (int i = 0; i < sd.length; i++) {
                    sd[i] = sg[i];
                }
                r.add(rel(id + " sigmas", sd, doubles(j.get("sigmas"))));
            }
            float ins = s.initNoiseSigma();
            r.add(rel(id + " init_noise_sigma", new double[] {ins}, new double[] {j.get("init_noise_sigma").asDouble()}));
            if (!r.passed()) {
                return r;
            }
            boolean useGen = j.path("uses_generator").asBoolean(false);
            double tol = n >= 50 || s.isStochastic() ? 1e-4 : 1e-5;
            String p = run + "/";
            Tensor noise = c.tensor(p + "noise");
            Tensor x = map(noise, v -> v * ins);
            r.add(Comparison.elementwise(id + " x_init", x, c.tensor(p + "x_init"), tol, tol));
            Tensor refXin = c.tensor(p + "xin"), refX = c.tensor(p + "x");
            Tensor refPred = c.has(p + "pred_original_sample") ? c.tensor(p + "pred_original_sample") : null;
            for (int i = 0; i < ts.length; i++) {
                double t = ts[i];
                Tensor xin = s.scaleModelInput(x, t);
                r.add(Comparison.elementwise(id + " xin[" + i + "]", xin, refXin.slice0(i, i + 1), tol, tol));
                float a = (float) (0.3 * Math.cos(t / 300));
                float b = (float) (0.1 * Math.sin(t / 50));
                Tensor eps = map(xin, v -> v * a + b);
                StepOutput o = s.step(eps, t, x, useGen ? new TorchGenerator(seed + 1 + i) : null);
                x = o.prevSample();
                r.add(Comparison.elementwise(id + " x[" + i + "]", x, refX.slice0(i, i + 1), tol, tol));
                if (refPred != null) {
                    if (o.predOriginalSample() == null) {
                        return r.fail("step " + i + " returned no pred_original_sample");
                    }
                    r.add(Comparison.elementwise(id + " pred_original_sample[" + i + "]", o.predOriginalSample(),
                            refPred.slice0(i, i + 1), tol, tol));
                }
                if (!r.passed()) {
                    return r; // the first failing step is where debugging starts
                }
            }
        } catch (RuntimeException e) {
            r.fail(e.toString());
        }
        return r;
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    /** {@code |ours - ref| <= 1e-6 |ref|} per element (exact for zeros); metric = worst relative error. */
    private static Comparison rel(String what, double[] ours, double[] ref) {
        if (ours.length != ref.length) {
            return new Comparison(what, false, Double.POSITIVE_INFINITY, 1e-6, -1, Float.NaN, Float.NaN,
                    "length " + ours.length + " vs reference " + ref.length + ": " + java.util.Arrays.toString(ours));
        }
        double worst = 0;
        int wi = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(ours[i] - ref[i]);
            double m = d == 0 ? 0 : ref[i] == 0 ? Double.POSITIVE_INFINITY : d / Math.abs(ref[i]);
            if (!(m <= worst)) {
                worst = Double.isNaN(m) ? Double.POSITIVE_INFINITY : m;
                wi = i;
            }
        }
        return new Comparison(what, worst <= 1e-6, worst, 1e-6, wi, ref.length == 0 ? 0 : (float) ours[wi],
                ref.length == 0 ? 0 : (float) ref[wi], "");
    }

    /** The cases' synthetic model output, in float32 with the reference's operation order (no FMA). */
    private interface FloatOp {
        float apply(float v);
    }

    private static Tensor map(Tensor a, FloatOp f) {
        float[] x = a.data(), out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.apply(x[i]);
        }
        return Tensor.of(out, a.shape());
    }
}
