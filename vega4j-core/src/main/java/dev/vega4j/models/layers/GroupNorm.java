package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/** {@code torch.nn.GroupNorm(groups, channels, eps, affine=True)}. */
public final class GroupNorm {
    private final Tensor weight;
    private final Tensor bias;
    private final int groups;
    private final float eps;

    public GroupNorm(Params p, int groups, int channels, float eps) {
        if (groups <= 0 || channels % groups != 0) {
            throw new dev.vega4j.VegaException("GroupNorm: " + channels + " channels cannot be split into " + groups
                    + " groups (check norm_num_groups in the model config)");
        }
        this.weight = p.get("weight", channels);
        this.bias = p.get("bias", channels);
        this.groups = groups;
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        return Ops.get().groupNorm(x, groups, weight, bias, eps, false);
    }

    /** GroupNorm followed by SiLU, fused. */
    public Tensor forwardSilu(Tensor x) {
        return Ops.get().groupNorm(x, groups, weight, bias, eps, true);
    }
}
