/**
 * Diffusion samplers equal to Hugging Face diffusers 0.26.3 (timesteps, sigmas and every step, to float32 rounding).
 *
 * <p>Typical use, mirroring a diffusers pipeline:
 * <pre>{@code
 * Scheduler s = SchedulerRegistry.create("DPM++ 2M Karras", schedulerConfigJson); // or SchedulerType.X.create(cfg)
 * s.setTimesteps(steps);
 * TorchGenerator g = new TorchGenerator(seed);
 * Tensor x = scale(g.randn(latentShape), s.initNoiseSigma());
 * for (double t : s.timesteps()) {
 *     Tensor in = s.scaleModelInput(x, t);
 *     Tensor eps = unet(in, t);            // after classifier-free guidance
 *     x = s.step(eps, t, x, g).prevSample();
 * }
 * }</pre>
 * img2img: after {@code setTimesteps(n)}, {@link dev.vega4j.schedulers.Scheduler#img2imgTimesteps} returns the kept
 * tail (and sets the begin index), and {@link dev.vega4j.schedulers.Scheduler#addNoise} noises the init latents.
 *
 * <p>Layout. {@code AbstractScheduler} holds the noise schedule ({@code NoiseSchedule}: betas, alphas_cumprod) and
 * diffusers' step-index logic; three bases group the families the way diffusers' files copy code between each other:
 * {@code AlphaBarScheduler} (DDIM, DDPM, LCM, PNDM: alphas_cumprod at integer timesteps), {@code SigmaScheduler}
 * (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a: k-diffusion sigmas, scaled model input) and {@code AlphaSigmaScheduler}
 * (DPM-Solver multistep/singlestep, UniPC: sigmas stepped in the alpha-sigma form, shared
 * {@code convert_model_output}). Timestep grids are in {@code Spacing}.
 *
 * <p>Exactness notes. Schedules are computed like diffusers: numpy float64 for timesteps/interpolation, torch float32
 * for betas/alphas. Reproduced details that move results by more than rounding: torch's CPU {@code linspace} and
 * {@code lerp} are compiled with fused multiply-adds; {@code cumprod} accumulates in double; numpy's float32
 * {@code np.log} is its SIMD polynomial ({@link dev.vega4j.schedulers.NumpyLog}); numpy 1.x keeps
 * {@code _sigma_to_t}'s weight in float32. Step formulas keep torch's operation order in float32 (Java has no implicit
 * FMA contraction). Scalar log/exp use correctly rounded values where torch uses Sleef (within 1 ulp).
 */
package dev.vega4j.schedulers;
