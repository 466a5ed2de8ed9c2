package dev.vega4j.models.clip;

import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code nn.LayerNorm(hidden_size, eps=config.layer_norm_eps)} with its affine weight and bias. */
record ClipLayerNorm(Tensor weight, Tensor bias, float eps) {

    static ClipLayerNorm load(Weights w, int size, double eps) {
        return new ClipLayerNorm(w.get("weight", size), w.get("bias", size), (float) eps);
    }

    Tensor forward(Tensor x) {
        return Ops.get().layerNorm(x, weight, bias, eps);
    }
}
