package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * DPM-Solver-2 ancestral (k-diffusion {@code sample_dpm_2_ancestral}; "DPM2 a"), diffusers 0.26.3
 * {@code schedulers/scheduling_k_dpm_2_ancestral_discrete.py}: like KDPM2 but the second half-step lands on sigma_down
 * and adds noise of std sigma_up.
 */
public final class KDPM2AncestralDiscreteScheduler extends SigmaScheduler {
    private float[] sigmasInterpol = new float[0];
    private float[] sigmasUp = new float[0];
    private float[] sigmasDown = new float[0];
    private Tensor savedSample;

    public KDPM2AncestralDiscreteScheduler(SchedulerConfig config) {
        super(config);
        rejectSamplePrediction();
    }

    @Override
    public int order() {
        return 2;
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
        float[] base = toFloat(s, 0.0);
        int m = n + 1;
        float[] up = new float[m], down = new float[m], interpol = new float[m];
        for (int i = 0; i < m; i++) {
            float sg = base[i];
            float next = i + 1 < m ? base[i + 1] : 0f;
            up[i] = F32.sqrt(next * next * (sg * sg - next * next) / (sg * sg));
            down[i] = F32.sqrt(next * next - up[i] * up[i]);
        }
        down[m - 1] = 0f;
        for (int i = 0; i < m; i++) {
            interpol[i] = F32.exp(lerp(F32.log(base[i]), F32.log(down[i]), 0.5f));
        }
        interpol[m - 1] = 0f;
        if (m >= 2) {
            interpol[m - 2] = 0f;
        }
        sigmas = KDPM2DiscreteScheduler.expand(base);
        sigmasInterpol = KDPM2DiscreteScheduler.expand(interpol);
        sigmasUp = KDPM2DiscreteScheduler.expand(up);
        sigmasDown = KDPM2DiscreteScheduler.expand(down);
        timesteps = new double[2 * n - 1];
        timesteps[0] = ts[0];
        for (int i = 1; i < n; i++) {
            // interleave timesteps_interpol[:-2] with timesteps[1:]
            timesteps[2 * i - 1] = NoiseSchedule.sigmaToTFloat(interpol[i - 1], logSigmas);
            timesteps[2 * i] = ts[i];
        }
        savedSample = null;
        timestepsSet();
    }

    private boolean firstOrder() {
        return savedSample == null;
    }

    @Override
    protected float inputSigma() {
        return firstOrder() ? sigmas[stepIndex] : sigmasInterpol[stepIndex - 1];
    }

    @Override
    public StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
        initStepIndex(timestep);
        boolean first = firstOrder();
        float sigma, sigmaInterpol, sigmaUp, sigmaDown;
        if (first) {
            sigma = sigmas[stepIndex];
            sigmaInterpol = sigmasInterpol[stepIndex];
            sigmaUp = sigmasUp[stepIndex];
            sigmaDown = stepIndex > 0 ? sigmasDown[stepIndex - 1] : sigmasDown[sigmasDown.length - 1];
        } else {
            sigma = sigmas[stepIndex - 1];
            sigmaInterpol = sigmasInterpol[stepIndex - 1];
            sigmaUp = sigmasUp[stepIndex - 1];
            sigmaDown = sigmasDown[stepIndex - 1];
        }
        float sigmaHat = sigma;
        Tensor noise = randn(sample.shape(), generator);
        float sigmaInput = first ? sigmaHat : sigmaInterpol;
        Tensor x0 = predOriginalKarras(modelOutput, sample, sigmaInput);
        Tensor prev;
        if (first) {
            float dt = sigmaInterpol - sigmaHat;
            savedSample = sample;
            prev = F32.map(sample, x0, (x, p) -> x + ((x - p) / sigmaHat) * dt);
        } else {
            float dt = sigmaDown - sigmaHat;
            Tensor base = savedSample;
            savedSample = null;
            Tensor deriv = F32.map(sample, x0, (x, p) -> (x - p) / sigmaInterpol);
            float su = sigmaUp;
            prev = F32.map(base, deriv, noise, (b, g, z) -> (b + g * dt) + z * su);
        }
        stepIndex++;
        return new StepOutput(prev, null);
    }
}
