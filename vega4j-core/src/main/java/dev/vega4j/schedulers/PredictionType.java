package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code prediction_type}: what the model predicts, the noise (epsilon), the sample itself, or the velocity v =
 * alpha_t * eps - sigma_t * x0 (Salimans &amp; Ho 2022). Every diffusers 0.26.3 scheduler takes all three except PNDM
 * and some k-diffusion ones, which reject sample in their constructor.
 */
public enum PredictionType implements ConfigValue {
    EPSILON("epsilon"),
    V_PREDICTION("v_prediction"),
    SAMPLE("sample");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "prediction_type";

    private final String value;

    PredictionType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static PredictionType parse(String value) {
        return ConfigValue.parse(PredictionType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
