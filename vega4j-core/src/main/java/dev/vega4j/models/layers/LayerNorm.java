package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.LayerNorm(dim, eps, elementwise_affine=True)} over the last dimension. */
public final class LayerNorm {
    private final Tensor weight;
    private final Tensor bias;
    private final float eps;

    public LayerNorm(Params p, int dim, float eps) {
        this.weight = p.get("weight", dim);
        this.bias = p.get("bias", dim);
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        return Ops.get().layerNorm(x, weight, bias, eps);
    }
}
