package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** torch {@code nn.LayerNorm} over the last dimension, affine. */
public final class LayerNorm {
    private final Var weight;
    private final Var bias;
    private final float eps;

    public LayerNorm(ParamScope p, int channels, float eps) {
        this.weight = p.param("weight", channels);
        this.bias = p.param("bias", channels);
        this.eps = eps;
    }

    public Var forward(Var x) {
        return F.layerNorm(x, weight, bias, eps);
    }
}
