package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code timestep_type} of EulerDiscreteScheduler: integer-grid timesteps, or (with v-prediction) the continuous
 * {@code 0.25 * log(sigma)} of EDM-style models.
 */
public enum TimestepType implements ConfigValue {
    DISCRETE("discrete"),
    CONTINUOUS("continuous");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "timestep_type";

    private final String value;

    TimestepType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static TimestepType parse(String value) {
        return ConfigValue.parse(TimestepType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
