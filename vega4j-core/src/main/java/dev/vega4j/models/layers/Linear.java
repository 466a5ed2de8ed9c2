package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.Linear}: {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Linear implements AdaptableLayer {
    private volatile Tensor weight; // replaced by setWeight (a mapped weight fused with an adapter)
    private final Tensor bias;
    private final int in;
    private final int out;
    private final LayerDeltas deltas = new LayerDeltas();

    public Linear(Params p, int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = p.getWeight("weight", out, in);
        this.bias = bias ? p.get("bias", out) : null;
        p.register(this);
    }

    /** x [..., in] → [..., out]. */
    public Tensor forward(Tensor x) {
        Tensor y = Ops.get().linear(x, weight, bias);
        return deltas.isEmpty() ? y : deltas.apply(x, y);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    @Override
    public Tensor weight() {
        return weight;
    }

    @Override
    public void setWeight(Tensor w) {
        if (!w.sameShape(weight)) {
            throw new IllegalArgumentException("setWeight: " + w + " for a weight " + weight);
        }
        this.weight = w;
    }

    @Override
    public Tensor bias() {
        return bias;
    }

    @Override
    public LayerDeltas deltas() {
        return deltas;
    }
}
