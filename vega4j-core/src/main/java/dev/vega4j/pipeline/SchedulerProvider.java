package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/** Creates fresh schedulers for a model: its own (scheduler_config.json) or one chosen by name. */
public interface SchedulerProvider {

    /** null = the model's own scheduler; otherwise a Segmind, AUTOMATIC1111 or diffusers class name. */
    SamplingScheduler create(String name);

    /**
     * {@code Class.from_config(model's scheduler config, **overrides)} for a diffusers class name (what the golden
     * cases do).
     */
    SamplingScheduler fromClass(String className, JsonNode overrides);
}
