package dev.vega4j.schedulers;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code solver_type}, shared by the DPM-Solver schedulers (midpoint, heun) and UniPC (bh1, bh2); like diffusers
 * each falls back on its default for the other family's names (and logrho, DEIS's).
 */
public enum SolverType implements ConfigValue {
    MIDPOINT("midpoint"),
    HEUN("heun"),
    LOGRHO("logrho"),
    BH1("bh1"),
    BH2("bh2");

    /** The {@code scheduler_config.json} key. */
    public static final String KEY = "solver_type";

    private final String value;

    SolverType(String value) {
        this.value = value;
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    /** diffusers' exact spelling to the constant; anything else is rejected with the list of valid spellings. */
    public static SolverType parse(String value) {
        return ConfigValue.parse(SolverType.class, KEY, value);
    }

    @Override
    public String toString() {
        return value;
    }
}
