package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.rng.TorchGenerator;
import dev.vega4j.schedulers.Scheduler;
import dev.vega4j.schedulers.SchedulerConfig;
import dev.vega4j.schedulers.SchedulerOverrides;
import dev.vega4j.schedulers.SchedulerRegistry;
import dev.vega4j.schedulers.SchedulerType;
import dev.vega4j.schedulers.StepOutput;
import dev.vega4j.tensor.Tensor;

/**
 * A model's schedulers: its own ({@code scheduler/scheduler_config.json}, class from {@code _class_name}) or another
 * class built with diffusers' {@code Class.from_config(model config, **overrides)}.
 */
final class ModelSchedulers implements SchedulerProvider {
    private final JsonNode baseConfig;
    private final String baseClass;

    ModelSchedulers(JsonNode baseConfig) {
        this.baseConfig = baseConfig;
        this.baseClass = baseConfig.path("_class_name").asText("EulerDiscreteScheduler");
    }

    /**
     * The model's own scheduler for null, else a Segmind / AUTOMATIC1111 / ComfyUI / diffusers name from
     * {@link SchedulerRegistry} applied on top of the model's scheduler config.
     */
    @Override
    public SamplingScheduler create(String name) {
        return create(name, SchedulerOverrides.NONE);
    }

    /**
     * As {@link #create(String)} on the model's config with {@code overrides}' keys replaced: they reach the model's
     * own scheduler and any scheduler picked by name alike, as diffusers' {@code from_config} carries them over.
     */
    @Override
    public SamplingScheduler create(String name, SchedulerOverrides overrides) {
        JsonNode config = overrides.isEmpty() ? baseConfig : overrides.applyTo(baseConfig);
        if (name == null || name.isBlank()) {
            SchedulerType type = SchedulerType.forClassName(baseClass);
            if (type == null) {
                throw new VegaException("the model's scheduler " + baseClass + " is not supported; choose one of: "
                        + String.join(", ", SchedulerRegistry.names()));
            }
            overrides.checkTakenBy(type);
            return new Adapter(type.create(SchedulerConfig.fromJson(type, config, null)), displayName(type));
        }
        SchedulerRegistry.Choice choice = SchedulerRegistry.resolve(name);
        overrides.checkTakenBy(choice.type());
        return new Adapter(SchedulerRegistry.create(name, config), choice.name());
    }

    /**
     * The first registry name that selects {@code type} with overrides the model's config already has ("Euler" or
     * "DPM++ 2M Karras" rather than the class name).
     */
    private String displayName(SchedulerType type) {
        for (String n : SchedulerRegistry.names()) {
            SchedulerRegistry.Choice c = SchedulerRegistry.resolve(n);
            if (c.type() == type && c.overrides().entrySet().stream().allMatch(
                    e -> baseConfig.path(e.getKey()).asText("\u0000").equals(String.valueOf(e.getValue())))) {
                return c.name();
            }
        }
        return type.className();
    }

    @Override
    public SamplingScheduler fromClass(String className, JsonNode overrides) {
        SchedulerType type = SchedulerType.forClassName(className);
        if (type == null) {
            throw new VegaException("unknown scheduler '" + className + "'");
        }
        Scheduler s = type.create(SchedulerConfig.fromJson(type, baseConfig, overrides));
        return new Adapter(s, type.className());
    }

    /** {@link SamplingScheduler} over a vega4j {@link Scheduler}. */
    record Adapter(Scheduler scheduler, String name) implements SamplingScheduler {
        @Override
        public void setTimesteps(int numInferenceSteps) {
            scheduler.setTimesteps(numInferenceSteps);
        }

        @Override
        public double[] timesteps() {
            return scheduler.timesteps();
        }

        @Override
        public int order() {
            return scheduler.order();
        }

        @Override
        public float initNoiseSigma() {
            return scheduler.initNoiseSigma();
        }

        @Override
        public Tensor scaleModelInput(Tensor sample, double timestep) {
            return scheduler.scaleModelInput(sample, timestep);
        }

        @Override
        public Tensor step(Tensor modelOutput, double timestep, Tensor sample, TorchGenerator generator) {
            return scheduler.step(modelOutput, timestep, sample, generator).prevSample();
        }

        @Override
        public StepOutput stepWithPrediction(Tensor modelOutput, double timestep, Tensor sample,
                TorchGenerator generator) {
            return scheduler.step(modelOutput, timestep, sample, generator);
        }

        @Override
        public Tensor addNoise(Tensor original, Tensor noise, double timestep) {
            return scheduler.addNoise(original, noise, timestep);
        }
    }
}
