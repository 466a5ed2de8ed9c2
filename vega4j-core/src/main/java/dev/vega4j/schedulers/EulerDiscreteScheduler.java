package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * Euler (Karras et al. 2022, Algorithm 2 with s_churn = 0), diffusers 0.26.3
 * {@code schedulers/scheduling_euler_discrete.py}; "Euler" and "Euler Karras" ({@code use_karras_sigmas}).
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {
    public EulerDiscreteScheduler(SchedulerConfig config) {
        super(config, true);
    }

    @Override
    public void setTimesteps(int n) {
        numInferenceSteps = n;
        double[] ts = spacedTimesteps(n);
        float[] train = trainSigmas;
        double[] s = switch (config.interpolationType()) {
            case LINEAR -> NoiseSchedule.interp(ts, train);
            case LOG_LINEAR -> {
                float[] lin = NoiseSchedule.torchLinspace(NumpyLog.log(train[train.length - 1]),
                        NumpyLog.log(train[0]), n + 1);
                double[] logLinear = new double[lin.length];
                for (int i = 0; i < lin.length; i++) {
                    logLinear[i] = F32.exp(lin[i]);
                }
                yield logLinear;
            }
        };
        if (config.useKarrasSigmas()) {
            s = karras(s, n);
            ts = sigmasToTimesteps(s);
        }
        sigmas = toFloat(s, 0.0);
        if (config.timestepType() == TimestepType.CONTINUOUS
                && config.predictionType() == PredictionType.V_PREDICTION) {
            timesteps = new double[s.length];
            for (int i = 0; i < s.length; i++) {
                timesteps[i] = 0.25f * F32.log(sigmas[i]);
            }
        } else {
            timesteps = Spacing.toFloat32(ts);
        }
        timestepsSet();
    }

    @Override
    public boolean acceptsGenerator() {
        return true;
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        float sigma = sigmas[stepIndex];
        float sigmaHat = sigma; // gamma = 0 (s_churn 0): sigma * (gamma + 1)
        Tensor x0 = switch (config.predictionType()) {
            case EPSILON -> F32.map(sample, modelOutput, (x, m) -> x - sigmaHat * m);
            case V_PREDICTION -> predOriginalKarras(modelOutput, sample, sigma);
            case SAMPLE -> modelOutput;
        };
        float dt = sigmas[stepIndex + 1] - sigmaHat;
        Tensor prev = F32.map(sample, x0, (x, p) -> x + ((x - p) / sigmaHat) * dt);
        stepIndex++;
        return new StepOutput(prev, x0);
    }
}
