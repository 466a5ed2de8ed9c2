package dev.vega4j.lora;

import dev.vega4j.models.layers.AdaptableLayer;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;

/** The two LoRA formulas of diffusers 0.26.3 ({@code models/lora.py}), for linear and convolution targets. */
final class LoraMath {
    private LoraMath() {}

    /** down as the target needs it: [r, in] for a linear layer, [r, in, k, k] for a convolution. */
    static Tensor down(LoraModule m, AdaptableLayer layer) {
        Tensor d = m.down();
        if (layer.conv() == null) {
            return d.rank() == 2 ? d : d.reshape(d.dim(0), d.dim(1));
        }
        return d.rank() == 4 ? d : d.reshape(d.dim(0), d.dim(1), 1, 1);
    }

    /** up as the target needs it: [out, r] for a linear layer, [out, r, 1, 1] for a convolution. */
    static Tensor up(LoraModule m, AdaptableLayer layer) {
        Tensor u = m.up();
        if (layer.conv() == null) {
            return u.rank() == 2 ? u : u.reshape(u.dim(0), u.dim(1));
        }
        return u.rank() == 4 ? u : u.reshape(u.dim(0), u.dim(1), 1, 1);
    }

    /**
     * The unfused update {@code scale * (up(down(x)) * (alpha / rank))} in diffusers' order
     * ({@code LoRALinearLayer.forward}: down, up, {@code *= network_alpha / rank}; then {@code scale * lora(x)} in
     * {@code LoRACompatibleLinear.forward}). The down convolution has the target's kernel, stride and padding, the up
     * convolution is 1x1 ({@code LoRAConv2dLayer}).
     */
    static Tensor delta(Tensor x, Tensor down, Tensor up, AdaptableLayer layer, Float alphaOverRank, float scale) {
        TensorOps ops = Ops.get();
        Tensor t;
        AdaptableLayer.ConvGeometry g = layer.conv();
        if (g == null) {
            t = ops.linear(ops.linear(x, down, null), up, null);
        } else {
            t = ops.conv2d(ops.conv2d(x, down, null, g.stride(), g.padding()), up, null, 1, 0);
        }
        if (alphaOverRank != null) {
            t = scaleInPlace(t, alphaOverRank);
        }
        return scale == 1f ? t : scaleInPlace(t, scale);
    }

    private static Tensor scaleInPlace(Tensor t, float s) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= s;
        }
        return t;
    }

    /**
     * Adds the fused update to {@code weight} in place: {@code W + scale * (((up * alpha) / rank) @ down)}, with the
     * roundings of diffusers' {@code _fuse_lora} in float32 ({@code w_up * network_alpha / rank}, then
     * {@code torch.bmm}, then {@code lora_scale *}, then {@code +}). Convolutions use the flattened matrices
     * ([out, r] @ [r, in·k·k]) like {@code LoRACompatibleConv._fuse_lora}.
     */
    static void fuseInto(Tensor weight, LoraModule m, float scale) {
        apply(weight, m, scale, 1f);
    }

    /** diffusers' {@code _unfuse_lora}: subtracts the same update again (restores W only up to rounding). */
    static void unfuseFrom(Tensor weight, LoraModule m, float scale) {
        apply(weight, m, scale, -1f);
    }

    private static void apply(Tensor weight, LoraModule m, float scale, float sign) {
        int rank = m.rank();
        float[] up = m.up().data();
        float[] down = m.down().data();
        int out = m.up().dim(0);
        int cols = down.length / rank;
        if (weight.numel() != out * cols) {
            throw new IllegalStateException("fused LoRA update of " + m + " does not match the weight");
        }
        float[] up2 = up.clone();
        if (m.alpha() != null) {
            float alpha = m.alpha();
            for (int i = 0; i < up2.length; i++) {
                up2[i] = (up2[i] * alpha) / rank;
            }
        }
        float[] w = weight.data();
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < cols; c++) {
                float s = 0f;
                for (int k = 0; k < rank; k++) {
                    s += up2[o * rank + k] * down[k * cols + c];
                }
                w[o * cols + c] += sign * (scale * s);
            }
        }
        Ops.get().weightChanged(weight);
    }
}
