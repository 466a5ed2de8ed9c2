package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/** Classifier-free guidance as the diffusers pipelines apply it to the UNet output of the batch [uncond, cond]. */
public final class Guidance {
    private Guidance() {}

    /** A run's guidance: {@code guidance_scale} and {@code guidance_rescale} (diffusers' defaults: 1 = off, 0). */
    public record Settings(double scale, double rescale) {
        public static final Settings NONE = new Settings(1.0, 0.0);

        /** Whether the run is batched [uncond, cond] and guided ({@link Guidance#enabled}). */
        public boolean enabled() {
            return Guidance.enabled(scale);
        }
    }

    /** diffusers pipelines: CFG runs when {@code guidance_scale > 1} (and the UNet has no time_cond_proj_dim). */
    public static boolean enabled(double guidanceScale) {
        return guidanceScale > 1.0;
    }

    /**
     * {@code noise_pred_uncond + guidance_scale * (noise_pred_text - noise_pred_uncond)}, then - when
     * {@code guidanceRescale > 0} - {@link #rescale}. Each operation rounds to float32 as torch does.
     */
    public static Tensor apply(Tensor unetOut, double guidanceScale, double guidanceRescale) {
        int half = unetOut.dim(0) / 2;
        Tensor uncond = unetOut.slice0(0, half);
        Tensor text = unetOut.slice0(half, 2 * half);
        float s = (float) guidanceScale;
        float[] u = uncond.data(), t = text.data();
        Tensor out = Tensor.zeros(uncond.shape());
        float[] o = out.data();
        for (int i = 0; i < o.length; i++) {
            float d = t[i] - u[i];
            float m = s * d;
            o[i] = u[i] + m;
        }
        return guidanceRescale > 0 ? rescale(out, text, guidanceRescale) : out;
    }

    /**
     * {@code rescale_noise_cfg} (diffusers, after "Common Diffusion Noise Schedules and Sample Steps are Flawed",
     * section 3.4): scale the guided prediction to the per-sample standard deviation (unbiased, over all non-batch
     * dims) of the text prediction, then mix {@code phi * rescaled + (1 - phi) * cfg}.
     */
    public static Tensor rescale(Tensor noiseCfg, Tensor noisePredText, double guidanceRescale) {
        int b = noiseCfg.dim(0);
        int inner = noiseCfg.numel() / b;
        float phi = (float) guidanceRescale;
        float oneMinus = (float) (1.0 - guidanceRescale);
        Tensor out = Tensor.zeros(noiseCfg.shape());
        float[] c = noiseCfg.data(), t = noisePredText.data(), o = out.data();
        for (int bi = 0; bi < b; bi++) {
            int off = bi * inner;
            float ratio = std(t, off, inner) / std(c, off, inner);
            for (int i = off; i < off + inner; i++) {
                float rescaled = c[i] * ratio;
                o[i] = phi * rescaled + oneMinus * c[i];
            }
        }
        return out;
    }

    /** {@code torch.std} (unbiased) of a slice, accumulated in double and rounded once. */
    static float std(float[] x, int off, int n) {
        double mean = 0;
        for (int i = off; i < off + n; i++) {
            mean += x[i];
        }
        mean /= n;
        double ss = 0;
        for (int i = off; i < off + n; i++) {
            double d = x[i] - mean;
            ss += d * d;
        }
        return (float) Math.sqrt(ss / (n - 1));
    }
}
