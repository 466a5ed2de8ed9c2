package dev.vega4j.pipeline;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.StepOutput;
import dev.vega4j.tensor.Tensor;

/** One configured diffusers scheduler instance (stateful: create a fresh one per generation). */
public interface SamplingScheduler {

    /** A display name (Segmind / A1111 style) for the generation's parameters. */
    String name();

    void setTimesteps(int numInferenceSteps);

    /** {@code scheduler.timesteps} after {@link #setTimesteps} (UNet calls; Heun/KDPM2 repeat entries). */
    double[] timesteps();

    /** {@code scheduler.order}. */
    int order();

    float initNoiseSigma();

    Tensor scaleModelInput(Tensor sample, double timestep);

    /** {@code scheduler.step(model_output, t, sample, generator=g).prev_sample}. */
    Tensor step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator);

    /**
     * {@link #step} with the step's denoised estimate when the scheduler has one ({@code pred_original_sample}, LCM's
     * {@code denoised}); same prev sample, same generator draws.
     */
    default StepOutput stepWithPrediction(Tensor modelOutput, double timestep, Tensor sample,
            TorchGenerator generator) {
        return new StepOutput(step(modelOutput, timestep, sample, generator), null);
    }

    /** {@code scheduler.add_noise(original, noise, tensor([t]))}. */
    Tensor addNoise(Tensor original, Tensor noise, double timestep);

    /** A {@link dev.vega4j.schedulers.Scheduler} as the pipeline sees it, named by its diffusers class. */
    static SamplingScheduler of(dev.vega4j.schedulers.Scheduler scheduler) {
        return new ModelSchedulers.Adapter(scheduler, scheduler.config().type().className());
    }
}
