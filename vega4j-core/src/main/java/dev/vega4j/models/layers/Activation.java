package dev.vega4j.models.layers;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** The activations diffusers' {@code get_activation} names that the SD family uses. */
public enum Activation {
    SILU,
    GELU;

    /** {@code "silu"} / {@code "swish"} → SILU, {@code "gelu"} → GELU; anything else is a readable error. */
    public static Activation of(String name, String where) {
        return switch (name == null ? "" : name.toLowerCase(java.util.Locale.ROOT)) {
            case "silu", "swish" -> SILU;
            case "gelu" -> GELU;
            default -> throw new VegaException(where + ": activation '" + name + "' is not supported (silu, swish,"
                    + " gelu)");
        };
    }

    public Tensor apply(Tensor x) {
        return switch (this) {
            case SILU -> Ops.get().silu(x);
            case GELU -> Ops.get().gelu(x);
        };
    }
}
