package dev.vega4j.train.nn;

import dev.vega4j.models.layers.Activation;
import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;

/**
 * diffusers {@code ResnetBlock2D} (time_embedding_norm "default", SiLU): {@code (shortcut(x) + conv2(silu(norm2(
 * conv1(silu(norm1(x))) + time_emb_proj(silu(temb)))))) / output_scale_factor}.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final boolean skipTimeAct;
    private final float outputScaleFactor;

    /**
     * {@code ResnetBlock2D(in_channels=in, out_channels=out, **options)}, with the inference layer's options; a
     * non_linearity other than SiLU or no time embedding ({@code temb_channels} None) is not implemented.
     */
    public ResnetBlock2D(ParamScope p, int in, int out, dev.vega4j.models.layers.ResnetBlock2D.Options o) {
        UNetSupport.requireOption(o.nonLinearity() == Activation.SILU, "ResnetBlock2D", "non_linearity",
                o.nonLinearity());
        UNetSupport.requireOption(o.tembChannels() > 0, "ResnetBlock2D", "temb_channels", "None");
        this.norm1 = new GroupNorm(p.sub("norm1"), o.groups(), in, o.eps());
        this.conv1 = Conv2d.same(p.sub("conv1"), in, out, 3);
        this.timeEmbProj = new Linear(p.sub("time_emb_proj"), o.tembChannels(), out, true);
        this.norm2 = new GroupNorm(p.sub("norm2"), o.groupsOut(), out, o.eps());
        this.conv2 = Conv2d.same(p.sub("conv2"), out, out, 3);
        this.convShortcut = in != out ? new Conv2d(p.sub("conv_shortcut"), in, out, 1, 1, 0) : null;
        this.skipTimeAct = o.skipTimeAct();
        this.outputScaleFactor = o.outputScaleFactor();
    }

    public Var forward(Var x, Var temb) {
        Var h = conv1.forward(F.silu(norm1.forward(x)));
        h = F.addChannelBias(h, timeEmbProj.forward(skipTimeAct ? temb : F.silu(temb)));
        h = conv2.forward(F.silu(norm2.forward(h)));
        Var out = F.add(convShortcut != null ? convShortcut.forward(x) : x, h);
        return outputScaleFactor == 1f ? out : F.scale(out, 1f / outputScaleFactor);
    }
}
