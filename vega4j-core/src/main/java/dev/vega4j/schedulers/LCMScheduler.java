package dev.vega4j.schedulers;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * Latent Consistency Model multistep sampling (Luo et al. 2023), diffusers 0.26.3 {@code schedulers/scheduling_lcm.py}:
 * timesteps picked evenly from the distillation schedule ({@code original_inference_steps} steps), consistency-function
 * boundary scalings, fresh noise between steps.
 */
public final class LCMScheduler extends AlphaBarScheduler {
    private final float finalAlphaCumprod;
    private double strength = 1.0;

    public LCMScheduler(SchedulerConfig config) {
        super(config);
        finalAlphaCumprod = finalAlphaCumprod();
    }

    /** {@code set_timesteps(..., strength=)}: img2img strength the LCM way (shortens the distillation schedule). */
    public LCMScheduler setStrength(double strength) {
        this.strength = strength;
        return this;
    }

    @Override
    public void setTimesteps(int n) {
        int numTrain = config.numTrainTimesteps();
        int original = config.originalInferenceSteps();
        if (original > numTrain) {
            throw new VegaException("original_inference_steps (" + original + ") cannot exceed num_train_timesteps ("
                    + numTrain + ")");
        }
        if (n < 1) {
            throw new InvalidRequestException("number of inference steps must be at least 1, got " + n);
        }
        if (n > original) {
            throw new InvalidRequestException("LCM supports at most original_inference_steps = " + original
                    + " inference steps, got " + n);
        }
        numInferenceSteps = n;
        int k = numTrain / original;
        int count = (int) (original * strength);
        if (count / n < 1) {
            throw new InvalidRequestException("LCM: " + n + " steps need strength * original_inference_steps >= " + n);
        }
        // lcm_origin_timesteps = (1..count) * k - 1, reversed; indices floor(linspace(0, count, n, endpoint=False))
        timesteps = new double[n];
        double step = (double) count / n;
        for (int i = 0; i < n; i++) {
            int idx = (int) Math.floor(i * step);
            int j = count - 1 - idx; // position in the ascending list
            timesteps[i] = (double) (j + 1) * k - 1;
        }
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
        int prevIndex = stepIndex + 1;
        double prevT = prevIndex < timesteps.length ? timesteps[prevIndex] : timestep;
        float at = alphaBar(timestep);
        float atPrev = alphaBarPrev(prevT, finalAlphaCumprod);
        float bt = 1f - at;
        float btPrev = 1f - atPrev;
        // get_scalings_for_boundary_condition_discrete, sigma_data = 0.5
        float scaled = (float) timestep * (float) config.timestepScaling();
        float cSkip = 0.25f / (scaled * scaled + 0.25f);
        float cOut = scaled / F32.sqrt(scaled * scaled + 0.25f);
        float sqa = F32.sqrt(at), sqb = F32.sqrt(bt);
        Tensor x0 = clipOrThreshold(predictedOriginal(modelOutput, sample, sqa, sqb));
        Tensor denoised = F32.map(x0, sample, (p, x) -> cOut * p + cSkip * x);
        Tensor prev;
        if (stepIndex != numInferenceSteps - 1) {
            Tensor noise = randn(sample.shape(), generator);
            float sap = F32.sqrt(atPrev), sbp = F32.sqrt(btPrev);
            prev = F32.map(denoised, noise, (d, z) -> sap * d + sbp * z);
        } else {
            prev = denoised;
        }
        stepIndex++;
        return new StepOutput(prev, denoised);
    }
}
