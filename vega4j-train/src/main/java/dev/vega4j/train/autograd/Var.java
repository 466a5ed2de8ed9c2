package dev.vega4j.train.autograd;

import dev.vega4j.tensor.Tensor;
import java.util.Arrays;

/**
 * A node of the reverse-mode graph: a value, the gradient of the loss with respect to it (filled by
 * {@link Autograd#backward}), and how to push that gradient to the inputs that produced it.
 *
 * <p>Leaves are parameters ({@link #parameter}) or constants ({@link #constant}); every other node is made by an op in
 * {@link F}. A node that depends on no parameter is a constant too: ops skip recording anything for it.
 */
public final class Var {
    /** Pushes {@code gradOut} (the gradient of this node) to the parents' gradients. */
    @FunctionalInterface
    public interface Backward {
        void apply(Tensor gradOut);
    }

    private final Tensor value;
    private final boolean requiresGrad;
    final Var[] parents;
    final Backward backward;
    Tensor grad;

    Var(Tensor value, boolean requiresGrad, Var[] parents, Backward backward) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.backward = backward;
    }

    /** A trainable leaf: its gradient accumulates over backward passes until {@link #zeroGrad}. */
    public static Var parameter(Tensor value) {
        return new Var(value, true, new Var[0], null);
    }

    /** A value no gradient flows to (inputs, targets, teacher features). */
    public static Var constant(Tensor value) {
        return new Var(value, false, new Var[0], null);
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or null when nothing flowed here yet. */
    public Tensor grad() {
        return grad;
    }

    public void zeroGrad() {
        grad = null;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public boolean isLeaf() {
        return backward == null;
    }

    public int[] shape() {
        return value.shape();
    }

    public int dim(int i) {
        return value.dim(i);
    }

    public int numel() {
        return value.numel();
    }

    /** {@code grad += g} (allocated on first use); ignored for constants. */
    void accumulate(Tensor g) {
        if (!requiresGrad) {
            return;
        }
        if (g.numel() != value.numel()) {
            throw new IllegalStateException("gradient " + Arrays.toString(g.shape()) + " for a value of "
                    + Arrays.toString(value.shape()));
        }
        if (grad == null) {
            grad = Tensor.of(g.data().clone(), value.shape());
        } else {
            float[] a = grad.data(), b = g.data();
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
    }

    /** A view with another shape (same data); gradients flow back reshaped. */
    public Var reshape(int... shape) {
        Tensor v = value.reshape(shape);
        int[] mine = value.shape();
        return F.node(v, g -> accumulate(g.reshape(mine)), this);
    }

    @Override
    public String toString() {
        return "Var" + Arrays.toString(value.shape()) + (requiresGrad ? " (grad)" : "");
    }
}
