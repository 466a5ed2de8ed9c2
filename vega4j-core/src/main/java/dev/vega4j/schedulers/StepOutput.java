package dev.vega4j.schedulers;

import dev.vega4j.tensor.Tensor;

/**
 * The result of {@link Scheduler#step}: the sample for the next timestep and, when diffusers' step output has one, the
 * predicted clean sample ({@code pred_original_sample}, or {@code denoised} for LCM); null otherwise.
 */
public record StepOutput(Tensor prevSample, Tensor predOriginalSample) {}
