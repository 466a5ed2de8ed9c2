package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code algorithm_type} of the DPM-Solver schedulers: DPM-Solver (noise prediction), DPM-Solver++ (data
 * prediction), their SDE variants, or deis, which diffusers runs as dpmsolver++. Which ones a scheduler takes is
 * its constructor's business (singlestep has no SDE variants).
 */
public enum AlgorithmType implements ConfigValue {
    DPMSOLVER("dpmsolver"),
    DPMSOLVER_PLUS_PLUS("dpmsolver++"),
    SDE_DPMSOLVER("sde-dpmsolver"),
    SDE_DPMSOLVER_PLUS_PLUS("sde-dpmsolver++"),
    DEIS("deis");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "algorithm_type";

    private final String value;

    AlgorithmType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static AlgorithmType parse(String value) {
        return ConfigValue.parse(AlgorithmType.class, KEY, value);
    }

    /** The SDE variants, which draw noise every step. */
    public boolean isSde() {
        return this == SDE_DPMSOLVER || this == SDE_DPMSOLVER_PLUS_PLUS;
    }

    /** The ++ variants convert the model output to the data prediction x0, the others to the noise epsilon. */
    public boolean predictsData() {
        return this == DPMSOLVER_PLUS_PLUS || this == SDE_DPMSOLVER_PLUS_PLUS;
    }

    @Override
    public String toString() {
        return value;
    }
}
