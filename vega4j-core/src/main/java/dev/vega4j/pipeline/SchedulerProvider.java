package dev.vega4j.pipeline;

/** Creates fresh schedulers for a model: its own (scheduler_config.json) or one chosen by name. */
public interface SchedulerProvider {

    /** null = the model's own scheduler; otherwise a Segmind, AUTOMATIC1111 or diffusers class name. */
    SamplingScheduler create(String name);
}
