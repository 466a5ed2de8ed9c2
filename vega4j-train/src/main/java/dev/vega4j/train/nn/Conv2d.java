package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** torch {@code nn.Conv2d} with a square kernel, square stride and symmetric zero padding. */
public final class Conv2d {
    private final Var weight;
    private final Var bias;
    private final int stride;
    private final int padding;

    public Conv2d(ParamScope p, int in, int out, int kernel, int stride, int padding) {
        this.weight = p.param("weight", out, in, kernel, kernel);
        this.bias = p.param("bias", out);
        this.stride = stride;
        this.padding = padding;
    }

    /** Stride 1, "same" padding (kernel / 2). */
    public static Conv2d same(ParamScope p, int in, int out, int kernel) {
        return new Conv2d(p, in, out, kernel, 1, kernel / 2);
    }

    public Var forward(Var x) {
        return F.conv2d(x, weight, bias, stride, padding);
    }
}
