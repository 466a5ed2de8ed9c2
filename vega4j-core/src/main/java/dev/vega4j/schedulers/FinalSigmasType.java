package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code final_sigmas_type} of the DPM-Solver schedulers: the sigma appended after the last step, 0 or the
 * smallest training sigma.
 */
public enum FinalSigmasType implements ConfigValue {
    ZERO("zero"),
    SIGMA_MIN("sigma_min");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "final_sigmas_type";

    private final String value;

    FinalSigmasType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static FinalSigmasType parse(String value) {
        return ConfigValue.parse(FinalSigmasType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
