package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.InvalidRequestException;
import dev.vega4j.schedulers.SchedulerOverrides;

/** Creates fresh schedulers for a model: its own (scheduler_config.json) or one chosen by name. */
public interface SchedulerProvider {

    /** null = the model's own scheduler; otherwise a Segmind, AUTOMATIC1111 or diffusers class name. */
    SamplingScheduler create(String name);

    /**
     * {@link #create(String)} with keys of the model's scheduler config replaced first, as diffusers'
     * {@code Class.from_config(pipe.scheduler.config, **overrides)}. Providers without a diffusers config take none.
     */
    default SamplingScheduler create(String name, SchedulerOverrides overrides) {
        if (overrides == null || overrides.isEmpty()) {
            return create(name);
        }
        throw new InvalidRequestException("this model's schedulers take no config overrides (" + overrides.asConfig()
                + ")");
    }

    /**
     * {@code Class.from_config(model's scheduler config, **overrides)} for a diffusers class name (what the golden
     * cases do).
     */
    SamplingScheduler fromClass(String className, JsonNode overrides);
}
