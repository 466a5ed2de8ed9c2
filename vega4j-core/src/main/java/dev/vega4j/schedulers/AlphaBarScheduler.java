package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;

/**
 * Base of the schedulers that work on alpha-bar ({@code alphas_cumprod}) at integer training timesteps: DDIM, DDPM,
 * LCM and PNDM. The model input is not scaled, the initial noise has std 1 and noise is added the DDPM way (diffusers
 * {@code scheduling_ddpm.py} {@code add_noise}).
 */
abstract class AlphaBarScheduler extends AbstractScheduler {
    AlphaBarScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public String timestepsDtype() {
        return "int64";
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public Tensor scaleModelInput(Tensor sample, double timestep) {
        return sample;
    }

    /** {@code sqrt(a_t) * x0 + sqrt(1 - a_t) * noise} with a_t = alphas_cumprod[t]. */
    @Override
    public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
        float a = alphaBar(timestep);
        float sa = F32.sqrt(a);
        float s1 = F32.sqrt(1f - a);
        return F32.map(original, noise, (x, n) -> sa * x + s1 * n);
    }

    /** diffusers' {@code final_alpha_cumprod}: alpha-bar "before" timestep 0 (DDIM, LCM, PNDM). */
    protected float finalAlphaCumprod() {
        return config.setAlphaToOne() ? 1f : schedule.alphasCumprod[0];
    }

    /** {@code alphas_cumprod[t]}, indexed like Python (see {@link #checkedIndex}). */
    protected float alphaBar(double t) {
        return schedule.alphasCumprod[checkedIndex(t)];
    }

    /** {@code alphas_cumprod[prev_t] if prev_t >= 0 else fallback}: the alpha-bar of the previous timestep. */
    protected float alphaBarPrev(double prevT, float fallback) {
        return prevT >= 0 ? alphaBar(prevT) : fallback;
    }

    /**
     * The training index of a timestep. Negative values wrap like Python/torch indexing ({@code alphas_cumprod[-1]}
     * is the last entry): trailing spacing with some step counts (e.g. 61) ends at timestep -1 in diffusers.
     */
    protected int checkedIndex(double t) {
        int n = schedule.alphasCumprod.length;
        int i = (int) t;
        if (i == t && i < 0 && i >= -n) {
            return i + n;
        }
        if (i != t || i < 0 || i >= n) {
            throw new VegaException("timestep " + t + " is not an integer training timestep in [0, "
                    + schedule.alphasCumprod.length + ")");
        }
        return i;
    }

    /**
     * {@code pred_original_sample} from the model output given {@code sqrt(alpha_prod_t)} and
     * {@code sqrt(beta_prod_t)}: epsilon, sample or v_prediction (DDIM eq. 12, DDPM eq. 15, Salimans &amp; Ho 2022).
     */
    protected Tensor predictedOriginal(Tensor modelOutput, Tensor sample, float sqrtAlphaBar, float sqrtBeta) {
        return switch (config.predictionType()) {
            case EPSILON -> F32.map(sample, modelOutput, (x, m) -> (x - sqrtBeta * m) / sqrtAlphaBar);
            case SAMPLE -> modelOutput;
            case V_PREDICTION -> F32.map(sample, modelOutput, (x, m) -> sqrtAlphaBar * x - sqrtBeta * m);
        };
    }

    /** {@code clip_sample} or dynamic {@code thresholding} of the predicted x0, as configured. */
    protected Tensor clipOrThreshold(Tensor x0) {
        if (config.thresholding()) {
            return thresholdSample(x0);
        }
        if (config.clipSample()) {
            float r = (float) config.clipSampleRange();
            return F32.map(x0, v -> Math.min(Math.max(v, -r), r));
        }
        return x0;
    }
}
