package dev.vega4j.models.clip;

import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.models.layers.LayerDeltas;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code nn.Linear} as CLIP uses it: weight [out, in] and an optional bias [out]; adapters may attach deltas. */
final class ClipLinear implements AdaptableLayer {
    private volatile Tensor weight; // replaced by setWeight (a mapped weight fused with an adapter)
    private final Tensor bias;
    private final LayerDeltas deltas = new LayerDeltas();

    ClipLinear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    static ClipLinear load(Weights w, int in, int out, boolean bias) {
        return new ClipLinear(w.getWeight("weight", out, in), bias ? w.get("bias", out) : null);
    }

    Tensor forward(Tensor x) {
        Tensor y = Ops.get().linear(x, weight, bias);
        return deltas.isEmpty() ? y : deltas.apply(x, y);
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
