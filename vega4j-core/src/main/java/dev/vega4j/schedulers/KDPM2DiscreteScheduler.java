package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * DPM-Solver-2 in k-diffusion form ({@code sample_dpm_2}; "DPM2"), diffusers 0.26.3
 * {@code schedulers/scheduling_k_dpm_2_discrete.py}: each step evaluates the model at sigma and at the log-midpoint
 * sigma_interpol, whose timestep is interpolated (in float32, as diffusers does with torch tensors).
 */
public final class KDPM2DiscreteScheduler extends SigmaScheduler {
    private float[] sigmasInterpol = new float[0];
    private Tensor savedSample;

    public KDPM2DiscreteScheduler(SchedulerConfig config) {
        super(config);
        rejectSamplePrediction();
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
            s = karrasBetweenEnds(s, n);
            ts = Spacing.rint(sigmasToTimesteps(s));
            timestepsDtype = "float64";
        }
        float[] base = toFloat(s, 0.0); // n+1 values, last 0
        // sigmas.log().lerp(sigmas.roll(1).log(), 0.5).exp()
        float[] interpol = new float[n + 1];
        for (int i = 0; i <= n; i++) {
            float prev = base[(i + n) % (n + 1)];
            interpol[i] = F32.exp(lerp(F32.log(base[i]), F32.log(prev), 0.5f));
        }
        sigmas = expand(base);
        sigmasInterpol = expand(interpol);
        timesteps = new double[2 * n - 1];
        timesteps[0] = ts[0];
        for (int i = 1; i < n; i++) {
            float ti = NoiseSchedule.sigmaToTFloat(interpol[i], logSigmas);
            timesteps[2 * i - 1] = timestepsDtype.equals("float32") ? ti : (double) ti;
            timesteps[2 * i] = ts[i];
        }
        savedSample = null;
        timestepsSet();
    }

    /** {@code cat([x[:1], x[1:].repeat_interleave(2), x[-1:]])}. */
    static float[] expand(float[] x) {
        int m = x.length;
        float[] out = new float[2 * m];
        out[0] = x[0];
        for (int i = 1; i < m; i++) {
            out[2 * i - 1] = x[i];
            out[2 * i] = x[i];
        }
        out[2 * m - 1] = x[m - 1];
        return out;
    }

    private boolean firstOrder() {
        return savedSample == null;
    }

    @Override
    protected float inputSigma() {
        return firstOrder() ? sigmas[stepIndex] : sigmasInterpol[stepIndex];
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        boolean first = firstOrder();
        float sigma, sigmaInterpol, sigmaNext;
        if (first) {
            sigma = sigmas[stepIndex];
            sigmaInterpol = sigmasInterpol[stepIndex + 1];
            sigmaNext = sigmas[stepIndex + 1];
        } else {
            sigma = sigmas[stepIndex - 1];
            sigmaInterpol = sigmasInterpol[stepIndex];
            sigmaNext = sigmas[stepIndex];
        }
        float sigmaHat = sigma;
        float sigmaInput = first ? sigmaHat : sigmaInterpol;
        Tensor x0 = predOriginalKarras(modelOutput, sample, sigmaInput);
        Tensor prev;
        if (first) {
            float dt = sigmaInterpol - sigmaHat;
            savedSample = sample;
            prev = F32.map(sample, x0, (x, p) -> x + ((x - p) / sigmaHat) * dt);
        } else {
            float dt = sigmaNext - sigmaHat;
            Tensor base = savedSample;
            savedSample = null;
            prev = F32.map(base, sample, x0, (b, x, p) -> b + ((x - p) / sigmaInterpol) * dt);
        }
        stepIndex++;
        return new StepOutput(prev, null);
    }
}
