package dev.vega4j.schedulers;

import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * DDPM ancestral sampling (Ho et al. 2020, eqs. 6-7), diffusers 0.26.3 {@code schedulers/scheduling_ddpm.py} with the
 * fixed variance types (learned variances need a model that predicts them and are not supported).
 */
public final class DDPMScheduler extends AlphaBarScheduler {
    public DDPMScheduler(SchedulerConfig config) {
        super(config);
        VarianceType v = varianceType();
        if (v == VarianceType.LEARNED || v == VarianceType.LEARNED_RANGE) {
            throw new VegaException("DDPMScheduler variance_type '" + v + "' is not supported (use fixed_small,"
                    + " fixed_small_log, fixed_large or fixed_large_log)");
        }
    }

    /** The configured variance type; a config's null counts as fixed_small. */
    private VarianceType varianceType() {
        return config.varianceType() == null ? VarianceType.FIXED_SMALL : config.varianceType();
    }

    @Override
    public void setTimesteps(int n) {
        Spacing.checkIndexable("DDPMScheduler", config.timestepSpacing(), n, 1, config.numTrainTimesteps(),
                config.stepsOffset());
        numInferenceSteps = n;
        timesteps = Spacing.ddim(config.timestepSpacing(), config.numTrainTimesteps(), n, config.stepsOffset());
        timestepsSet();
    }

    @Override
    public boolean isStochastic() {
        return true;
    }

    @Override
    public boolean acceptsGenerator() {
        return true;
    }

    private double previousTimestep(double t) {
        int n = numInferenceSteps > 0 ? numInferenceSteps : config.numTrainTimesteps();
        return t - config.numTrainTimesteps() / n;
    }

    private float variance(double t) {
        double prevT = previousTimestep(t);
        float at = alphaBar(t);
        float atPrev = alphaBarPrev(prevT, 1f);
        float currentBeta = 1f - at / atPrev;
        float var = (1f - atPrev) / (1f - at) * currentBeta;
        var = Math.max(var, 1e-20f);
        return switch (varianceType()) {
            case FIXED_SMALL_LOG -> F32.exp(0.5f * F32.log(var));
            case FIXED_LARGE -> currentBeta;
            case FIXED_LARGE_LOG -> F32.log(currentBeta);
            default -> var; // FIXED_SMALL (learned ones are rejected in the constructor)
        };
    }

    @Override
    public StepOutput step(Tensor modelOutput, double t, Tensor sample, TorchGenerator generator) {
        requireTimesteps();
        double prevT = previousTimestep(t);
        float at = alphaBar(t);
        float atPrev = alphaBarPrev(prevT, 1f);
        float bt = 1f - at;
        float btPrev = 1f - atPrev;
        float currentAlpha = at / atPrev;
        float currentBeta = 1f - currentAlpha;
        float sqa = F32.sqrt(at), sqb = F32.sqrt(bt);
        Tensor x0 = clipOrThreshold(predictedOriginal(modelOutput, sample, sqa, sqb));
        float c0 = (F32.sqrt(atPrev) * currentBeta) / bt;
        float cs = F32.sqrt(currentAlpha) * btPrev / bt;
        Tensor prev = F32.map(x0, sample, (p, x) -> c0 * p + cs * x);
        if (t > 0) {
            Tensor noise = randn(sample.shape(), generator);
            float v = variance(t);
            float scale = varianceType() == VarianceType.FIXED_SMALL_LOG ? v : F32.sqrt(v);
            prev = F32.map(prev, noise, (x, z) -> x + scale * z);
        }
        return new StepOutput(prev, x0);
    }
}
