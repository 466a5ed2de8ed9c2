package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.Linear}: {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Linear {
    private final Tensor weight;
    private final Tensor bias;
    private final int in;
    private final int out;

    public Linear(Params p, int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = p.get("weight", out, in);
        this.bias = bias ? p.get("bias", out) : null;
    }

    /** x [..., in] → [..., out]. */
    public Tensor forward(Tensor x) {
        return Ops.get().linear(x, weight, bias);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
