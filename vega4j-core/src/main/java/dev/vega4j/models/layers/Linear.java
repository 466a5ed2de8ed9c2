package dev.vega4j.models.layers;

import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.Linear}: {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Linear implements AdaptableLayer {
    private volatile Tensor weight; // replaced by setWeight (a mapped weight fused with an adapter)
    private final Tensor bias;
    private final int in;
    private final int out;
    private final LayerDeltas deltas = new LayerDeltas();

    /** Reads {@code weight} (may stay mapped) and {@code bias} from {@code p} and registers the layer for adapters. */
    public Linear(Params p, int in, int out, boolean bias) {
        this(p.getWeight("weight", out, in), bias ? p.get("bias", out) : null, in, out);
        p.register(this);
    }

    private Linear(Tensor weight, Tensor bias, int in, int out) {
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
    }

    /**
     * Reads the layer straight from a weights view, as a model built without {@link Params} (CLIP, which throws at the
     * first missing weight) does; nothing is registered: such a model lists its adaptable layers itself.
     */
    public static Linear load(Weights w, int in, int out, boolean bias) {
        return new Linear(w.getWeight("weight", out, in), bias ? w.get("bias", out) : null, in, out);
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
