package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code timestep_spacing}: how {@code set_timesteps} spreads the inference timesteps over the training ones
 * (Table 2 of Lin et al. 2023, see {@code Spacing}).
 */
public enum TimestepSpacing implements ConfigValue {
    LEADING("leading"),
    TRAILING("trailing"),
    LINSPACE("linspace");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "timestep_spacing";

    private final String value;

    TimestepSpacing(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static TimestepSpacing parse(String value) {
        return ConfigValue.parse(TimestepSpacing.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
