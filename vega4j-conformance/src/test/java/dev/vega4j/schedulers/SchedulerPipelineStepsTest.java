package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.conformance.Comparison;
import dev.vega4j.conformance.Golden;
import dev.vega4j.conformance.GoldenCase;
import dev.vega4j.conformance.GoldenGroup;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schedulers inside real diffusers pipeline runs (golden groups {@code pipelines} and {@code img2img}), teacher
 * forced: feed the reference latents and UNet outputs, compare the scaled model input and every step's latents. This
 * covers what the synthetic scheduler loops do not: the pipeline's generator continuing into stochastic steps,
 * {@code add_noise}, img2img's truncated schedule with {@code set_begin_index}, and guidance rescale.
 */
class SchedulerPipelineStepsTest {
    @Test
    void pipelineRunsStepLikeDiffusers() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String groupName : List.of("pipelines", "img2img")) {
            GoldenGroup g = GoldenGroup.load(Golden.root(), groupName);
            for (GoldenCase c : g.cases()) {
                try {
                    String f = replay(c, groupName.equals("img2img"));
                    if (f != null) {
                        failures.add(groupName + "/" + c.id() + ": " + f);
                    }
                    checked++;
                } finally {
                    c.close();
                }
            }
        }
        assertThat(checked).isGreaterThan(0);
        assertThat(failures).isEmpty();
    }

    private static String replay(GoldenCase c, boolean img2img) {
        JsonNode j = c.json();
        SchedulerType type = SchedulerType.forClassName(j.get("scheduler_class").asText());
        Scheduler s = type.create(SchedulerConfig.fromJson(type, j.get("scheduler_config"), j.get("scheduler_overrides")));
        int n = j.get("num_inference_steps").asInt();
        s.setTimesteps(n);
        float[] full = c.tensor(img2img ? "scheduler_timesteps_full" : "scheduler_timesteps").data();
        double[] ts = s.timesteps();
        if (!sameValues(ts, full)) {
            return "timesteps " + java.util.Arrays.toString(ts);
        }
        TorchGenerator gen = new TorchGenerator(j.get("seed").asLong());
        Tensor latents;
        if (img2img) {
            ts = s.img2imgTimesteps(n, j.get("strength").asDouble());
            if (!sameValues(ts, c.tensor("step_timesteps").data()) && j.get("num_unet_calls").asInt() == ts.length) {
                return "img2img timesteps " + java.util.Arrays.toString(ts);
            }
            gen.randn(c.tensor("randn.0").shape()); // the VAE sample draws first
            Tensor noise = gen.randn(c.tensor("noise").shape());
            latents = s.addNoise(c.tensor("init_latents"), noise, ts[0]);
        } else {
            Tensor noise = gen.randn(c.tensor("noise").shape());
            float sigma = s.initNoiseSigma();
            latents = F32.map(noise, v -> v * sigma);
        }
        Comparison init = Comparison.elementwise("latents_init", latents, c.tensor("latents_init"), 1e-5, 1e-5);
        if (!init.passed()) {
            return init.toString();
        }
        double guidance = j.path("guidance_scale").asDouble(1.0);
        double rescale = j.path("guidance_rescale").asDouble(0.0);
        Tensor unet = c.tensor("step_unet_out"), refIn = c.tensor("step_latent_model_input");
        Tensor refLat = c.tensor("step_latents");
        double tol = s.isStochastic() ? 1e-4 : 1e-5;
        for (int i = 0; i < ts.length; i++) {
            Tensor in = i == 0 ? c.tensor("latents_init") : refLat.slice0(i - 1, i).reshape(latents.shape());
            Tensor xin = s.scaleModelInput(in, ts[i]);
            Tensor out = unet.slice0(i, i + 1);
            int batch = out.dim(1);
            Tensor refXin = refIn.slice0(i, i + 1);
            int per = xin.numel();
            Comparison cx = Comparison.elementwise("xin[" + i + "]", xin.data(),
                    java.util.Arrays.copyOf(refXin.data(), per), tol, tol);
            if (!cx.passed()) {
                return cx.toString();
            }
            Tensor pred = batch == 2 ? guide(out.data(), per, (float) guidance, (float) rescale, latents.shape())
                    : Tensor.of(java.util.Arrays.copyOf(out.data(), per), latents.shape());
            Tensor next = s.step(pred, ts[i], in, gen).prevSample();
            Comparison cs = Comparison.elementwise("latents[" + i + "]", next, refLat.slice0(i, i + 1), tol, tol);
            if (!cs.passed()) {
                return cs.toString();
            }
        }
        return null;
    }

    /** Classifier-free guidance as the pipelines compute it, plus {@code rescale_noise_cfg} (Lin et al. 2023). */
    private static Tensor guide(float[] both, int per, float g, float rescale, int[] shape) {
        float[] out = new float[per];
        for (int i = 0; i < per; i++) {
            float u = both[i], t = both[per + i];
            out[i] = u + g * (t - u);
        }
        if (rescale > 0) {
            float[] text = java.util.Arrays.copyOfRange(both, per, 2 * per);
            float ratio = (float) (std(text) / std(out));
            for (int i = 0; i < per; i++) {
                float rescaled = out[i] * ratio;
                out[i] = rescale * rescaled + (1f - rescale) * out[i];
            }
        }
        return Tensor.of(out, shape);
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double ss = 0;
        for (float v : x) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    private static boolean sameValues(double[] ours, float[] ref) {
        if (ours.length != ref.length) {
            return false;
        }
        for (int i = 0; i < ours.length; i++) {
            if (Math.abs(ours[i] - ref[i]) > 1e-6 * Math.abs(ref[i])) {
                return false;
            }
        }
        return true;
    }
}
