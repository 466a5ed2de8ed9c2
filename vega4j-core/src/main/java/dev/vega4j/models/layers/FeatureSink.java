package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * Receives intermediate activations by name while a model runs (the golden cases' forward-hook names, e.g.
 * {@code down_blocks.1.attentions.0}); conformance checks and distillation use it. The model never modifies a tensor
 * after handing it over; receivers must not modify it either.
 */
@FunctionalInterface
public interface FeatureSink {
    /** Records nothing; models skip work that only exists to expose features (e.g. they fuse GroupNorm and SiLU). */
    FeatureSink NONE = new FeatureSink() {
        @Override
        public void accept(String name, Tensor value) {}

        @Override
        public boolean enabled() {
            return false;
        }
    };

    void accept(String name, Tensor value);

    default boolean enabled() {
        return true;
    }

    /** A sink that prepends {@code prefix} to every name (for a sub-module). */
    default FeatureSink prefixed(String prefix) {
        if (!enabled()) {
            return this;
        }
        FeatureSink outer = this;
        return (name, value) -> outer.accept(prefix + name, value);
    }

    static FeatureSink orNone(FeatureSink sink) {
        return sink == null ? NONE : sink;
    }
}
