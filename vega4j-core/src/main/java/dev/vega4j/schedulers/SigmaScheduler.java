package dev.vega4j.schedulers;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.tensor.Tensor;

/**
 * Base of the k-diffusion style schedulers (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a): the sample lives at noise
 * level sigma, the model input is scaled by {@code 1/sqrt(sigma^2+1)}, and the initial noise has standard deviation
 * {@code max sigma} (or {@code sqrt(max^2+1)} for leading spacing), diffusers' {@code init_noise_sigma} property.
 */
abstract class SigmaScheduler extends AbstractScheduler {
    protected float[] sigmas = new float[0];
    protected final float[] trainSigmas;
    protected final float[] logSigmas;
    /** float32, or float64 where diffusers builds the timesteps from Karras sigmas in numpy float64. */
    protected String timestepsDtype = "float32";

    SigmaScheduler(SchedulerConfig config) {
        this(config, false);
    }

    /**
     * @param finiteTerminalSigma the class sets {@code alphas_cumprod[-1] = 2**-24} under {@code rescale_betas_zero_snr}
     *     (diffusers' Euler and Euler a), so that the first sigma is finite. diffusers does it before it derives the
     *     sigmas and their logs from {@code alphas_cumprod}, so both the log-sigmas that map Karras sigmas back to
     *     timesteps and {@code init_noise_sigma} before {@code set_timesteps} see the fixed value.
     */
    SigmaScheduler(SchedulerConfig config, boolean finiteTerminalSigma) {
        super(config);
        if (finiteTerminalSigma && config.rescaleBetasZeroSnr()) {
            schedule.alphasCumprod[schedule.alphasCumprod.length - 1] = (float) Math.pow(2, -24);
        }
        trainSigmas = schedule.trainSigmas();
        logSigmas = NoiseSchedule.logSigmas(trainSigmas);
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public String timestepsDtype() {
        return timestepsDtype;
    }

    /** Schedulers whose k-diffusion update divides by the noise it predicts reject sample prediction up front. */
    protected void rejectSamplePrediction() {
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new InvalidRequestException(getClass().getSimpleName() + " does not support prediction_type 'sample'");
        }
    }

    @Override
    public float initNoiseSigma() {
        float max = 0;
        float[] s = sigmas.length > 0 ? sigmas : trainSigmas; // before set_timesteps: the training sigmas
        for (float v : s) {
            max = Math.max(max, v);
        }
        TimestepSpacing sp = config.timestepSpacing();
        if (sp == TimestepSpacing.LINSPACE || sp == TimestepSpacing.TRAILING) {
            return max;
        }
        return F32.sqrt(max * max + 1f);
    }

    /** The sigma that scales the model input at the current step index. */
    protected float inputSigma() {
        return sigmas[stepIndex];
    }

    @Override
    public Tensor scaleModelInput(Tensor sample, double timestep) {
        initStepIndex(timestep);
        float sigma = inputSigma();
        float d = F32.sqrt(sigma * sigma + 1f);
        return F32.map(sample, x -> x / d);
    }

    /** {@code add_noise}: {@code x0 + noise * sigma} at the timestep's (or begin index's) sigma. */
    @Override
    public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
        float sigma = sigmas[addNoiseIndex(timestep)];
        return F32.map(original, noise, (x, n) -> x + n * sigma);
    }

    /** The {@code timestep_spacing} grid for n steps, descending, as the float32 values diffusers keeps. */
    protected double[] spacedTimesteps(int n) {
        return Spacing.toFloat32(Spacing.kDiffusion(config.timestepSpacing(), config.numTrainTimesteps(), n,
                config.stepsOffset()));
    }

    /** Training sigmas interpolated at the (float) timesteps; float64 like numpy. */
    protected double[] interpSigmas(double[] ts) {
        return NoiseSchedule.interp(ts, trainSigmas);
    }

    /**
     * Karras ramp between the first and last of the given sigmas, ignoring any sigma_min/sigma_max in the config
     * (the LMS and KDPM2 variants of diffusers' {@code _convert_to_karras}).
     */
    protected static double[] karrasBetweenEnds(double[] inSigmas, int n) {
        return NoiseSchedule.karras(inSigmas[inSigmas.length - 1], inSigmas[0], n);
    }

    /**
     * Karras ramp between the given end sigmas (diffusers {@code _convert_to_karras} with in_sigmas[-1], [0]), or the
     * config's sigma_min/sigma_max where set (Euler, Heun).
     */
    protected double[] karras(double[] inSigmas, int n) {
        double sMin = inSigmas[inSigmas.length - 1];
        double sMax = inSigmas[0];
        if (config.sigmaMin() != null) {
            sMin = config.sigmaMin();
        }
        if (config.sigmaMax() != null) {
            sMax = config.sigmaMax();
        }
        return NoiseSchedule.karras(sMin, sMax, n);
    }

    protected double[] sigmasToTimesteps(double[] s) {
        double[] t = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            t[i] = NoiseSchedule.sigmaToT(s[i], logSigmas);
        }
        return t;
    }

    static float[] toFloat(double[] a, double append) {
        float[] out = new float[a.length + 1];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        out[a.length] = (float) append;
        return out;
    }
}
