package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * Euler ancestral ("Euler a"): an Euler step down to sigma_down plus fresh noise of std sigma_up (k-diffusion
 * {@code sample_euler_ancestral}), diffusers 0.26.3 {@code schedulers/scheduling_euler_ancestral_discrete.py}.
 */
public final class EulerAncestralDiscreteScheduler extends SigmaScheduler {
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super(config, true);
        rejectSamplePrediction();
    }

    @Override
    public void setTimesteps(int n) {
        numInferenceSteps = n;
        double[] ts = spacedTimesteps(n);
        sigmas = toFloat(interpSigmas(ts), 0.0);
        timesteps = ts;
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

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        float sigma = sigmas[stepIndex];
        Tensor x0 = predOriginalKarras(modelOutput, sample, sigma);
        float from = sigmas[stepIndex], to = sigmas[stepIndex + 1];
        float up = F32.sqrt(to * to * (from * from - to * to) / (from * from));
        float down = F32.sqrt(to * to - up * up);
        float dt = down - sigma;
        Tensor noise = randn(sample.shape(), generator);
        Tensor prev = F32.map(sample, x0, noise, (x, p, z) -> (x + ((x - p) / sigma) * dt) + z * up);
        stepIndex++;
        return new StepOutput(prev, x0);
    }
}
