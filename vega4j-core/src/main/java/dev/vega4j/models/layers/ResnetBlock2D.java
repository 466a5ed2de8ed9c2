package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;

/**
 * diffusers {@code ResnetBlock2D} ({@code models/resnet.py}) with {@code time_embedding_norm="default"} and
 * pre-norm: {@code out = (shortcut(x) + conv2(act(norm2(conv1(act(norm1(x))) + time_emb_proj(act(temb)))))) / s}.
 * The 1x1 {@code conv_shortcut} exists when the channel count changes.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj; // null without a time embedding (VAE)
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final Activation act;
    private final boolean skipTimeAct;
    private final float outputScaleFactor;

    /**
     * @param tembChannels width of the time embedding, or 0 for none (the VAE)
     * @param groupsOut    groups of norm2 (diffusers: {@code groups_out or groups})
     */
    public ResnetBlock2D(Params p, int in, int out, int tembChannels, int groups, int groupsOut, float eps,
            Activation act, boolean skipTimeAct, float outputScaleFactor) {
        this.norm1 = new GroupNorm(p.sub("norm1"), groups, in, eps);
        this.conv1 = Conv2d.same(p.sub("conv1"), in, out, 3);
        this.timeEmbProj = tembChannels > 0 ? new Linear(p.sub("time_emb_proj"), tembChannels, out, true) : null;
        this.norm2 = new GroupNorm(p.sub("norm2"), groupsOut, out, eps);
        this.conv2 = Conv2d.same(p.sub("conv2"), out, out, 3);
        this.convShortcut = in != out ? new Conv2d(p.sub("conv_shortcut"), in, out, 1, 1, 0, true) : null;
        this.act = act;
        this.skipTimeAct = skipTimeAct;
        this.outputScaleFactor = outputScaleFactor;
    }

    public ResnetBlock2D(Params p, int in, int out, int tembChannels, int groups, float eps, Activation act,
            float outputScaleFactor) {
        this(p, in, out, tembChannels, groups, groups, eps, act, false, outputScaleFactor);
    }

    /** x [N, in, H, W], temb [N, tembChannels] (null for the VAE) → [N, out, H, W]. */
    public Tensor forward(Tensor x, Tensor temb) {
        TensorOps ops = Ops.get();
        Tensor h = normAct(norm1, x);
        h = conv1.forward(h);
        if (timeEmbProj != null && temb != null) {
            Tensor t = timeEmbProj.forward(skipTimeAct ? temb : act.apply(temb));
            h = ops.addChannelBias(h, t);
        }
        h = normAct(norm2, h);
        h = conv2.forward(h);
        Tensor shortcut = convShortcut != null ? convShortcut.forward(x) : x;
        // h is our own intermediate, so it may be overwritten: (shortcut + h) in the order torch adds them
        Tensor outT = ops.addInPlace(h, shortcut);
        return outputScaleFactor == 1f ? outT : ops.scale(outT, 1f / outputScaleFactor);
    }

    private Tensor normAct(GroupNorm norm, Tensor x) {
        return act == Activation.SILU ? norm.forwardSilu(x) : act.apply(norm.forward(x));
    }
}
