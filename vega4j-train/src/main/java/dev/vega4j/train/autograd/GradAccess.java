package dev.vega4j.train.autograd;

import dev.vega4j.tensor.Tensor;

/** Adds to a leaf's gradient from outside the graph (gradients computed elsewhere, e.g. another worker). */
public final class GradAccess {
    private GradAccess() {}

    public static void accumulate(Var leaf, Tensor grad) {
        leaf.accumulate(grad);
    }
}
