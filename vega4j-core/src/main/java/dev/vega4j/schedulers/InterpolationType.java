package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code interpolation_type} of EulerDiscreteScheduler: how the inference sigmas are taken from the training
 * sigmas.
 */
public enum InterpolationType implements ConfigValue {
    LINEAR("linear"),
    LOG_LINEAR("log_linear");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "interpolation_type";

    private final String value;

    InterpolationType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static InterpolationType parse(String value) {
        return ConfigValue.parse(InterpolationType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
