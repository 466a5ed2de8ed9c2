package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * Heun's second-order method (Karras et al. 2022, Algorithm 1), diffusers 0.26.3
 * {@code schedulers/scheduling_heun_discrete.py}: every sigma after the first appears twice, the first visit takes an
 * Euler step, the second averages the two derivatives and restarts from the saved sample.
 */
public final class HeunDiscreteScheduler extends SigmaScheduler {
    private Tensor prevDerivative;
    private float dt = Float.NaN;
    private Tensor savedSample;

    public HeunDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public int order() {
        return 2;
    }

    @Override
    public void setTimesteps(int n) {
        numInferenceSteps = n;
        double[] ts = spacedTimesteps(n);
        double[] s = interpSigmas(ts);
        timestepsDtype = "float32";
        if (config.useKarrasSigmas()) {
            s = karras(s, n);
            ts = sigmasToTimesteps(s);
            timestepsDtype = "float64";
        }
        float[] base = toFloat(s, 0.0);
        // [s0, s1, s1, ..., s_{n-1}, s_{n-1}, 0]
        sigmas = new float[2 * n];
        sigmas[0] = base[0];
        for (int i = 1; i < n; i++) {
            sigmas[2 * i - 1] = base[i];
            sigmas[2 * i] = base[i];
        }
        sigmas[2 * n - 1] = base[n];
        timesteps = new double[2 * n - 1];
        timesteps[0] = ts[0];
        for (int i = 1; i < n; i++) {
            timesteps[2 * i - 1] = ts[i];
            timesteps[2 * i] = ts[i];
        }
        prevDerivative = null;
        dt = Float.NaN;
        savedSample = null;
        timestepsSet();
    }

    private boolean firstOrder() {
        return Float.isNaN(dt);
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        boolean first = firstOrder();
        float sigma = first ? sigmas[stepIndex] : sigmas[stepIndex - 1];
        float sigmaNext = first ? sigmas[stepIndex + 1] : sigmas[stepIndex];
        float sigmaHat = sigma;
        float sigmaInput = first ? sigmaHat : sigmaNext;
        Tensor x0 = predOriginalKarras(modelOutput, sample, sigmaInput);
        if (config.clipSample()) {
            float r = (float) config.clipSampleRange();
            x0 = F32.map(x0, v -> Math.min(Math.max(v, -r), r));
        }
        Tensor prev;
        if (first) {
            Tensor derivative = F32.map(sample, x0, (x, p) -> (x - p) / sigmaHat);
            float d = sigmaNext - sigmaHat;
            prevDerivative = derivative;
            dt = d;
            savedSample = sample;
            prev = F32.map(sample, derivative, (x, g) -> x + g * d);
        } else {
            Tensor derivative = F32.map(sample, x0, prevDerivative,
                    (x, p, pd) -> (pd + (x - p) / sigmaNext) / 2f);
            float d = dt;
            prev = F32.map(savedSample, derivative, (x, g) -> x + g * d);
            prevDerivative = null;
            dt = Float.NaN;
            savedSample = null;
        }
        stepIndex++;
        return new StepOutput(prev, null);
    }
}
