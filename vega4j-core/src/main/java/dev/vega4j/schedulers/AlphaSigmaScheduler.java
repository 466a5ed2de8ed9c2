package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Base of the DPM-Solver family (DPM-Solver multistep and singlestep, UniPC). They keep the k-diffusion sigmas
 * {@code sqrt((1 - alpha_bar) / alpha_bar)} but step in the alpha-sigma form {@code x_t = alpha_t * x0 + sigma_t *
 * eps} (diffusers {@code _sigma_to_alpha_sigma_t}, see {@link DpmMath}); the model input is not scaled, the initial
 * noise has std 1 and the timesteps are integers. What the three diffusers files share lives here:
 * {@code convert_model_output}, the Karras and final-sigma parts of {@code set_timesteps}, and {@code add_noise}.
 */
abstract class AlphaSigmaScheduler extends AbstractScheduler {
    protected float[] sigmas = new float[0];

    AlphaSigmaScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public String timestepsDtype() {
        return "int64";
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public Tensor scaleModelInput(Tensor sample, double timestep) {
        return sample;
    }

    /** diffusers 0.26: alpha-sigma form at the timestep's sigma, {@code alpha_t * x0 + sigma_t * noise}. */
    @Override
    public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
        float sigma = sigmas[beginIndex >= 0 ? beginIndex : indexForTimestep(timestep)];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        return F32.map(original, noise, (x, z) -> a * x + s * z);
    }

    // ---- set_timesteps ----

    /** {@code sigma_min} as diffusers appends it: {@code ((1 - alphas_cumprod[0]) / alphas_cumprod[0]) ** 0.5}. */
    protected float trainSigmaMin() {
        float a0 = schedule.alphasCumprod[0];
        return F32.sqrt((1f - a0) / a0);
    }

    /** The sigma appended after the last step, per {@code final_sigmas_type}. */
    protected double finalSigma() {
        return switch (config.finalSigmasType()) {
            case SIGMA_MIN -> trainSigmaMin();
            case ZERO -> 0.0;
        };
    }

    /**
     * {@code _convert_to_karras} over {@code np.flip(sigmas)} of the training sigmas: in_sigmas[-1] is the smallest
     * training sigma, in_sigmas[0] the largest.
     */
    protected static double[] karrasSigmas(float[] trainSigmas, int n) {
        return NoiseSchedule.karras(trainSigmas[0], trainSigmas[trainSigmas.length - 1], n);
    }

    /** {@code np.array([self._sigma_to_t(sigma, log_sigmas) for sigma in sigmas]).round()}. */
    protected static double[] roundedTimesteps(double[] sigmas, float[] logSigmas) {
        double[] t = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            t[i] = Math.rint(NoiseSchedule.sigmaToT(sigmas[i], logSigmas));
        }
        return t;
    }

    // ---- convert_model_output ----

    /** The data prediction x0 of the model output at the current sigma, thresholded if configured. */
    protected Tensor dataPrediction(Tensor modelOutput, Tensor sample) {
        float sigma = sigmas[stepIndex];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        Tensor x0 = switch (config.predictionType()) {
            case EPSILON -> F32.map(sample, modelOutput, (x, m) -> (x - s * m) / a);
            case SAMPLE -> modelOutput;
            case V_PREDICTION -> F32.map(sample, modelOutput, (x, m) -> a * x - s * m);
        };
        return config.thresholding() ? thresholdSample(x0) : x0;
    }

    /** The noise prediction epsilon of the model output at the current sigma (UniPC: never thresholded). */
    protected Tensor noisePrediction(Tensor modelOutput, Tensor sample) {
        float sigma = sigmas[stepIndex];
        float a = DpmMath.alpha(sigma), s = sigma * a;
        return switch (config.predictionType()) {
            case EPSILON -> modelOutput;
            case SAMPLE -> F32.map(sample, modelOutput, (x, m) -> (x - a * m) / s);
            case V_PREDICTION -> F32.map(modelOutput, sample, (m, x) -> a * m + s * x);
        };
    }

    /** DPM-Solver's noise prediction: with thresholding, epsilon goes to x0, is thresholded and comes back. */
    protected Tensor thresholdedNoisePrediction(Tensor modelOutput, Tensor sample) {
        Tensor eps = noisePrediction(modelOutput, sample);
        if (config.thresholding()) {
            float sigma = sigmas[stepIndex];
            float a = DpmMath.alpha(sigma), s = sigma * a;
            Tensor x0 = thresholdSample(F32.map(sample, eps, (x, e) -> (x - s * e) / a));
            eps = F32.map(sample, x0, (x, q) -> (x - a * q) / s);
        }
        return eps;
    }

    /** {@code model_outputs[i] = model_outputs[i + 1]; model_outputs[-1] = m}: the newest output goes last. */
    protected static void shiftIn(Tensor[] modelOutputs, Tensor m) {
        int k = modelOutputs.length;
        for (int i = 0; i < k - 1; i++) {
            modelOutputs[i] = modelOutputs[i + 1];
        }
        modelOutputs[k - 1] = m;
    }

    // ---- DPM-Solver options (multistep and singlestep) ----

    /** DPM-Solver's {@code solver_type}: the UniPC/DEIS names fall back to midpoint, like diffusers. */
    protected static SolverType dpmSolverType(SchedulerConfig config) {
        return switch (config.solverType()) {
            case MIDPOINT, HEUN -> config.solverType();
            case LOGRHO, BH1, BH2 -> SolverType.MIDPOINT;
        };
    }

    /**
     * DPM-Solver's {@code algorithm_type} as it runs: deis is run as dpmsolver++ (diffusers re-registers it so), and
     * anything outside {@code supported} is rejected naming the class.
     */
    protected static AlgorithmType dpmAlgorithm(SchedulerConfig config, String scheduler,
            EnumSet<AlgorithmType> supported) {
        AlgorithmType alg = config.algorithmType() == AlgorithmType.DEIS ? AlgorithmType.DPMSOLVER_PLUS_PLUS
                : config.algorithmType();
        if (!supported.contains(alg)) {
            List<String> valid = new ArrayList<>(supported.stream().map(AlgorithmType::value).toList());
            valid.add(AlgorithmType.DEIS.value());
            throw new VegaException(scheduler + " algorithm_type '" + config.algorithmType() + "' is not supported (use "
                    + ConfigValue.oneOf(valid) + ")");
        }
        return alg;
    }

    /** final_sigmas_type zero needs a data-prediction algorithm; DPM-Solver has orders 1 to 3. */
    protected static void checkDpmSolverOptions(SchedulerConfig config, AlgorithmType algorithm) {
        if (!algorithm.predictsData() && config.finalSigmasType() == FinalSigmasType.ZERO) {
            throw new VegaException("final_sigmas_type 'zero' is not supported for algorithm_type " + algorithm
                    + "; use final_sigmas_type 'sigma_min'");
        }
        if (config.solverOrder() < 1 || config.solverOrder() > 3) {
            throw new VegaException("solver_order must be 1, 2 or 3, got " + config.solverOrder());
        }
    }
}
