package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/**
 * Receives the intermediate tensors of a run under the key names of the golden data ({@code noise},
 * {@code latents_init}, {@code step_latents}, {@code cond.prompt_embeds}, ...). Per-step keys are reported once per
 * UNet call. Used by the conformance groups; generation passes {@link #NONE}.
 */
@FunctionalInterface
public interface Trace {
    Trace NONE = (key, value) -> {};

    void record(String key, Tensor value);
}
