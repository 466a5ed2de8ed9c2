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
     * The keyword arguments of diffusers' {@code ResnetBlock2D.__init__} that a block's resnets share (the channel
     * counts differ per resnet and are constructor arguments). Build with {@link #builder()}, which starts from
     * diffusers' defaults.
     *
     * @param tembChannels      {@code temb_channels}, default 512; 0 for None (no {@code time_emb_proj}: the VAE)
     * @param groups            {@code groups} of norm1, default 32
     * @param groupsOut         {@code groups_out} of norm2, default: {@code groups}
     * @param eps               {@code eps} of both norms, default 1e-6
     * @param nonLinearity      {@code non_linearity}, default "swish" (SiLU)
     * @param skipTimeAct       {@code skip_time_act}: no activation before {@code time_emb_proj}, default false
     * @param outputScaleFactor {@code output_scale_factor}, the output divisor, default 1.0
     */
    public record Options(int tembChannels, int groups, int groupsOut, float eps, Activation nonLinearity,
            boolean skipTimeAct, float outputScaleFactor) {
        public Options {
            java.util.Objects.requireNonNull(nonLinearity, "non_linearity");
        }

        /** A builder holding diffusers' defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Named setters in diffusers' keyword names; unset ones keep diffusers' default. */
        public static final class Builder {
            private int tembChannels = 512;
            private int groups = 32;
            private Integer groupsOut; // null: same as groups, like diffusers' groups_out=None
            private float eps = 1e-6f;
            private Activation nonLinearity = Activation.SILU;
            private boolean skipTimeAct;
            private float outputScaleFactor = 1f;

            private Builder() {}

            /** 0 for diffusers' None (no time embedding). */
            public Builder tembChannels(int tembChannels) {
                this.tembChannels = tembChannels;
                return this;
            }

            public Builder groups(int groups) {
                this.groups = groups;
                return this;
            }

            public Builder groupsOut(int groupsOut) {
                this.groupsOut = groupsOut;
                return this;
            }

            public Builder eps(float eps) {
                this.eps = eps;
                return this;
            }

            public Builder nonLinearity(Activation nonLinearity) {
                this.nonLinearity = nonLinearity;
                return this;
            }

            public Builder skipTimeAct(boolean skipTimeAct) {
                this.skipTimeAct = skipTimeAct;
                return this;
            }

            public Builder outputScaleFactor(float outputScaleFactor) {
                this.outputScaleFactor = outputScaleFactor;
                return this;
            }

            public Options build() {
                return new Options(tembChannels, groups, groupsOut == null ? groups : groupsOut, eps, nonLinearity,
                        skipTimeAct, outputScaleFactor);
            }
        }
    }

    /** {@code ResnetBlock2D(in_channels=in, out_channels=out, **options)}; weights under {@code p}. */
    public ResnetBlock2D(Params p, int in, int out, Options o) {
        this.norm1 = new GroupNorm(p.sub("norm1"), o.groups(), in, o.eps());
        this.conv1 = Conv2d.same(p.sub("conv1"), in, out, 3);
        this.timeEmbProj = o.tembChannels() > 0 ? new Linear(p.sub("time_emb_proj"), o.tembChannels(), out, true)
                : null;
        this.norm2 = new GroupNorm(p.sub("norm2"), o.groupsOut(), out, o.eps());
        this.conv2 = Conv2d.same(p.sub("conv2"), out, out, 3);
        this.convShortcut = in != out ? new Conv2d(p.sub("conv_shortcut"), in, out, 1, 1, 0, true) : null;
        this.act = o.nonLinearity();
        this.skipTimeAct = o.skipTimeAct();
        this.outputScaleFactor = o.outputScaleFactor();
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
