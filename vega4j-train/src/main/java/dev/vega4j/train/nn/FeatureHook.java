package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.Var;

/** Receives intermediate activations (still attached to the graph) under the golden / diffusers module names. */
@FunctionalInterface
public interface FeatureHook {
    FeatureHook NONE = (name, value) -> {};

    void accept(String name, Var value);

    default FeatureHook prefixed(String prefix) {
        if (this == NONE) {
            return this;
        }
        return (name, value) -> accept(prefix + name, value);
    }
}
