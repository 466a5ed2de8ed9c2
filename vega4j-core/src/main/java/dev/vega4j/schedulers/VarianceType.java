package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code variance_type}: the posterior variance of DDPMScheduler's step (fixed ones; learned ones need a model
 * that predicts them and DDPMScheduler rejects them), also a key of the DPM-Solver schedulers (which vega4j does
 * not read). A config's null means the class's own choice.
 */
public enum VarianceType implements ConfigValue {
    FIXED_SMALL("fixed_small"),
    FIXED_SMALL_LOG("fixed_small_log"),
    FIXED_LARGE("fixed_large"),
    FIXED_LARGE_LOG("fixed_large_log"),
    LEARNED("learned"),
    LEARNED_RANGE("learned_range");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "variance_type";

    private final String value;

    VarianceType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static VarianceType parse(String value) {
        return ConfigValue.parse(VarianceType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
