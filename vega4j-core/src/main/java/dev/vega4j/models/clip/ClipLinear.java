package dev.vega4j.models.clip;

import dev.vega4j.io.Weights;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code nn.Linear} as CLIP uses it: weight [out, in] and an optional bias [out]. */
record ClipLinear(Tensor weight, Tensor bias) {

    static ClipLinear load(Weights w, int in, int out, boolean bias) {
        return new ClipLinear(w.get("weight", out, in), bias ? w.get("bias", out) : null);
    }

    Tensor forward(Tensor x) {
        return Ops.get().linear(x, weight, bias);
    }
}
