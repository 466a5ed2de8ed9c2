package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** torch {@code nn.Linear}: weight [out, in], optional bias [out]. */
public final class Linear {
    private final Var weight;
    private final Var bias;

    public Linear(ParamScope p, int in, int out, boolean bias) {
        this.weight = p.param("weight", out, in);
        this.bias = bias ? p.param("bias", out) : null;
    }

    public Var forward(Var x) {
        return F.linear(x, weight, bias);
    }
}
