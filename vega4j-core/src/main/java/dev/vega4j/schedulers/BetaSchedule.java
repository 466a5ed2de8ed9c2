package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code beta_schedule}: how the training betas are spaced when {@code trained_betas} is not given (see {@code
 * NoiseSchedule}).
 */
public enum BetaSchedule implements ConfigValue {
    LINEAR("linear"),
    SCALED_LINEAR("scaled_linear"),
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "beta_schedule";

    private final String value;

    BetaSchedule(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static BetaSchedule parse(String value) {
        return ConfigValue.parse(BetaSchedule.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
