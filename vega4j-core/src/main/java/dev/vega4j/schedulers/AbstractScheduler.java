package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.Seeds;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/** State and helpers every scheduler shares: the noise schedule, the timesteps, and diffusers' step-index logic. */
abstract class AbstractScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected double[] timesteps = new double[0];
    protected int numInferenceSteps;
    protected int stepIndex = -1;
    protected int beginIndex = -1;

    AbstractScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        double q = config.dynamicThresholdingRatio();
        if (config.thresholding() && !(q >= 0 && q <= 1)) {
            // a quantile (torch.quantile refuses others); found by fuzzing, where it indexed past the sample
            throw new VegaException(config.type().className() + ": dynamic_thresholding_ratio must be between 0 and 1,"
                    + " got " + q);
        }
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        return null;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public boolean isStochastic() {
        return false;
    }

    @Override
    public boolean acceptsGenerator() {
        return false;
    }

    @Override
    public void setBeginIndex(int beginIndex) {
        this.beginIndex = beginIndex;
    }

    @Override
    public int stepIndex() {
        return stepIndex;
    }

    protected void requireTimesteps() {
        if (timesteps.length == 0) {
            throw new IllegalStateException("call setTimesteps(n) before using the scheduler");
        }
    }

    /**
     * Ends every {@code set_timesteps}: refuses a schedule with a timestep that is not finite (a degenerate noise
     * schedule such as {@code beta_start} 0 with Karras sigmas, where diffusers' own interpolation gives NaN too:
     * denoising with it could only give NaN pixels), then clears the per-generation state.
     */
    protected void timestepsSet() {
        for (int i = 0; i < timesteps.length; i++) {
            if (!Double.isFinite(timesteps[i])) {
                throw new VegaException(config.type().className() + ": this config gives the timestep "
                        + timesteps[i] + " at position " + i + " of " + timesteps.length + " (a degenerate noise"
                        + " schedule: check beta_start, beta_end, trained_betas and num_train_timesteps)");
            }
        }
        stepIndex = -1;
        beginIndex = -1;
    }

    /**
     * diffusers {@code index_for_timestep}: the position of {@code t} in the schedule; when it occurs more than once,
     * the second occurrence (so that img2img starting mid-schedule does not skip a sigma).
     */
    protected int indexForTimestep(double t) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == t) {
                if (first >= 0) {
                    return i;
                }
                first = i;
            }
        }
        if (first < 0) {
            throw new VegaException("timestep " + t + " is not in the schedule " + Arrays.toString(timesteps));
        }
        return first;
    }

    /** diffusers {@code _init_step_index}: begin index if set, otherwise the timestep's position. */
    protected void initStepIndex(double t) {
        requireTimesteps();
        if (stepIndex < 0) {
            stepIndex = beginIndex >= 0 ? beginIndex : indexForTimestep(t);
        }
        if (stepIndex >= timesteps.length) {
            // a repeated timestep starts at its second occurrence (index_for_timestep), so a caller walking the list
            // from the first one steps once more than the schedule has; diffusers ends in an IndexError there
            throw new VegaException(config.type().className() + ": step " + (stepIndex + 1) + " of a schedule of "
                    + timesteps.length + " timesteps " + Arrays.toString(timesteps));
        }
    }

    /** {@code randn_tensor(shape, generator)}; without a generator a random seed is used, like torch's global RNG. */
    protected static Tensor randn(int[] shape, TorchGenerator g) {
        TorchGenerator gen = g != null ? g : new TorchGenerator(Seeds.resolve(Seeds.RANDOM).seed());
        return gen.randn(shape);
    }

    /** Index used by sigma-based {@code add_noise}: the begin index when set, else the timestep's position. */
    protected int addNoiseIndex(double t) {
        requireTimesteps();
        return beginIndex >= 0 ? beginIndex : indexForTimestep(t);
    }

    /** v-prediction / epsilon / sample to x0 for sigma-parameterised (k-diffusion) schedulers. */
    protected Tensor predOriginalKarras(Tensor modelOutput, Tensor sample, float sigma) {
        return switch (config.predictionType()) {
            case EPSILON -> F32.map(sample, modelOutput, (x, m) -> x - sigma * m);
            case V_PREDICTION -> {
                float c1 = -sigma / F32.sqrt(sigma * sigma + 1f);
                float c2 = sigma * sigma + 1f;
                yield F32.map(modelOutput, sample, (m, x) -> m * c1 + x / c2);
            }
            case SAMPLE -> modelOutput;
        };
    }

    /**
     * Dynamic thresholding (Imagen, Saharia et al. 2022), diffusers {@code _threshold_sample}: per batch item, s = the
     * {@code dynamic_thresholding_ratio} quantile of |x| (torch.quantile, linear), clamped to [1, sample_max_value];
     * x = clamp(x, -s, s) / s.
     */
    protected Tensor thresholdSample(Tensor sample) {
        int batch = sample.dim(0);
        int per = sample.numel() / batch;
        float[] x = sample.data();
        float[] out = new float[x.length];
        float q = (float) config.dynamicThresholdingRatio();
        for (int b = 0; b < batch; b++) {
            float[] abs = new float[per];
            for (int i = 0; i < per; i++) {
                abs[i] = Math.abs(x[b * per + i]);
            }
            Arrays.sort(abs);
            float rank = q * (per - 1);
            int lo = (int) rank;
            int hi = Math.min(lo + 1, per - 1);
            float w = rank - lo;
            float s = lerp(abs[lo], abs[hi], w);
            s = Math.min(Math.max(s, 1f), (float) config.sampleMaxValue());
            for (int i = 0; i < per; i++) {
                float v = Math.min(Math.max(x[b * per + i], -s), s);
                out[b * per + i] = v / s;
            }
        }
        return Tensor.of(out, sample.shape());
    }

    /**
     * torch.lerp for floats, {@code w < 0.5 ? a + w*(b-a) : b - (b-a)*(1-w)}, with the multiply-add fused as GCC
     * compiles ATen's kernel.
     */
    static float lerp(float a, float b, float w) {
        return Math.abs(w) < 0.5f ? Math.fma(w, b - a, a) : Math.fma(-(b - a), 1f - w, b);
    }
}
