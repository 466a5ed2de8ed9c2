package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * DDIM (Song et al. 2021, eq. 12), diffusers 0.26.3 {@code schedulers/scheduling_ddim.py}; eta = 0 by default
 * (deterministic), {@link #setEta} for the stochastic variant. Like diffusers, the previous timestep is always
 * {@code t - N // n}, whatever the spacing.
 */
public final class DDIMScheduler extends AlphaBarScheduler {
    private final float finalAlphaCumprod;
    private float eta = 0f;

    public DDIMScheduler(SchedulerConfig config) {
        super(config);
        finalAlphaCumprod = finalAlphaCumprod();
    }

    /** DDIM's eta (0 = deterministic DDIM, 1 = DDPM-like noise). */
    public DDIMScheduler setEta(float eta) {
        this.eta = eta;
        return this;
    }

    @Override
    public void setTimesteps(int n) {
        Spacing.checkIndexable("DDIMScheduler", config.timestepSpacing(), n, 1, config.numTrainTimesteps(),
                config.stepsOffset());
        numInferenceSteps = n;
        timesteps = Spacing.ddim(config.timestepSpacing(), config.numTrainTimesteps(), n, config.stepsOffset());
        timestepsSet();
    }

    @Override
    public boolean isStochastic() {
        return eta > 0;
    }

    @Override
    public boolean acceptsGenerator() {
        return true;
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        requireTimesteps();
        double prevT = timestep - config.numTrainTimesteps() / numInferenceSteps;
        float at = alphaBar(timestep);
        float atPrev = alphaBarPrev(prevT, finalAlphaCumprod);
        float bt = 1f - at;
        float sqa = F32.sqrt(at), sqb = F32.sqrt(bt);
        Tensor predOriginal = predictedOriginal(modelOutput, sample, sqa, sqb);
        Tensor epsPred = switch (config.predictionType()) {
            case EPSILON -> modelOutput;
            case SAMPLE -> F32.map(sample, predOriginal, (x, p) -> (x - sqa * p) / sqb);
            case V_PREDICTION -> F32.map(modelOutput, sample, (m, x) -> sqa * m + sqb * x);
        };
        Tensor x0 = clipOrThreshold(predOriginal);
        float btPrev = 1f - atPrev;
        float variance = (btPrev / bt) * (1f - at / atPrev);
        float std = eta * F32.sqrt(variance);
        float dirCoef = F32.sqrt(1f - atPrev - std * std);
        float sqaPrev = F32.sqrt(atPrev);
        Tensor prev = F32.map(x0, epsPred, (p, e) -> sqaPrev * p + dirCoef * e);
        if (eta > 0) {
            Tensor noise = randn(sample.shape(), generator);
            prev = F32.map(prev, noise, (x, z) -> x + std * z);
        }
        return new StepOutput(prev, x0);
    }
}
