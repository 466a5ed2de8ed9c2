package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/**
 * Receives the intermediate tensors of a run under the key names of the golden data ({@code noise},
 * {@code latents_init}, {@code step_latents}, {@code cond.prompt_embeds}, ...). Per-step keys are reported once per
 * UNet call. Checks against reference runs listen; a generation passes {@link #NONE}, and then the pipeline builds no
 * tensor that exists only to be traced.
 */
@FunctionalInterface
public interface Trace {
    Trace NONE = new Trace() {
        @Override
        public void record(String key, Tensor value) {}

        @Override
        public boolean enabled() {
            return false;
        }
    };

    void record(String key, Tensor value);

    /** Whether anything listens; when not, values made only for the trace are not computed. */
    default boolean enabled() {
        return true;
    }
}
