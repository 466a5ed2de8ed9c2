package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/** torch {@code nn.GroupNorm} with affine weight/bias [C]. */
public final class GroupNorm {
    private final Var weight;
    private final Var bias;
    private final int groups;
    private final float eps;

    public GroupNorm(ParamScope p, int groups, int channels, float eps) {
        this.weight = p.param("weight", channels);
        this.bias = p.param("bias", channels);
        this.groups = groups;
        this.eps = eps;
    }

    public Var forward(Var x) {
        return F.groupNorm(x, groups, weight, bias, eps);
    }
}
