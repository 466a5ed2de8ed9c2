package dev.vega4j.schedulers;

import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.tensor.Tensor;

/**
 * A diffusion sampler with diffusers' scheduler protocol: {@code setTimesteps(n)}, then for each timestep {@code t} of
 * {@link #timesteps()}: {@code xin = scaleModelInput(x, t)}, run the model on {@code xin}, {@code x = step(out, t, x,
 * generator).prevSample()}. Timesteps are passed as the exact value of the schedule's element (int64, float32 or
 * float64 in diffusers, all exactly representable as a double); the scheduler finds its position like diffusers does
 * (first call: index of that value, or {@link #setBeginIndex}; afterwards it counts steps).
 *
 * <p>Instances are stateful (multistep history, step index) and not thread-safe: one per generation.
 */
public interface Scheduler {
    /** The resolved configuration. */
    SchedulerConfig config();

    /** {@code set_timesteps(n)}: computes the inference schedule and resets all state. */
    void setTimesteps(int numInferenceSteps);

    /** The inference timesteps (exact values; length may exceed n for second-order samplers). */
    double[] timesteps();

    /** The dtype diffusers gives the timesteps tensor: "int64", "float32" or "float64". */
    String timestepsDtype();

    /** The schedule's sigmas (float32), or null for schedulers without sigmas (DDIM, DDPM, PNDM, LCM). */
    float[] sigmas();

    /** Standard deviation of the initial noise: {@code latents = noise * initNoiseSigma()}. */
    float initNoiseSigma();

    /** Scales the model input for timestep {@code t} (identity for most alpha-based schedulers). */
    Tensor scaleModelInput(Tensor sample, double timestep);

    /**
     * One denoising step. {@code generator} supplies the noise of stochastic samplers (Euler a, KDPM2 a, DPM++ SDE,
     * DDPM, LCM); it may be null for deterministic ones (then stochastic samplers draw from a random seed).
     */
    StepOutput step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator);

    /** Model evaluations per sampler step as diffusers counts it (2 for Heun/KDPM2 style, 1 otherwise). */
    int order();

    /** Whether {@code step} draws noise, so results depend on the generator. */
    boolean isStochastic();

    /** Whether diffusers' {@code step()} takes a {@code generator} argument (it does also for some deterministic ones). */
    boolean acceptsGenerator();

    /** diffusers {@code set_begin_index}: the step index the first call starts at (img2img). */
    void setBeginIndex(int beginIndex);

    /** The step index the next call uses, or -1 before the first call. */
    int stepIndex();

    /** {@code add_noise(original, noise, timesteps=[t])}: forward-diffuses a clean sample to timestep {@code t}. */
    Tensor addNoise(Tensor original, Tensor noise, double timestep);

    /**
     * img2img: the tail of the schedule that {@code strength} keeps, diffusers' {@code get_timesteps}:
     * {@code init_timestep = min(int(n*strength), n)}, {@code t_start = max(n - init_timestep, 0)},
     * {@code timesteps[t_start*order:]}, and {@code set_begin_index(t_start*order)}. Call after {@link #setTimesteps}.
     */
    default double[] img2imgTimesteps(int numInferenceSteps, double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new dev.vega4j.VegaException("strength must be between 0 and 1, got " + strength);
        }
        int init = Math.min((int) (numInferenceSteps * strength), numInferenceSteps);
        int tStart = Math.max(numInferenceSteps - init, 0);
        double[] all = timesteps();
        int from = Math.min(tStart * order(), all.length);
        setBeginIndex(tStart * order());
        return java.util.Arrays.copyOfRange(all, from, all.length);
    }
}
