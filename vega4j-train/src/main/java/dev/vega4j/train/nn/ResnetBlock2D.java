package dev.vega4j.train.nn;

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
    private final float outputScaleFactor;

    public ResnetBlock2D(ParamScope p, int in, int out, int temb, int groups, float eps, float outputScaleFactor) {
        this.norm1 = new GroupNorm(p.sub("norm1"), groups, in, eps);
        this.conv1 = Conv2d.same(p.sub("conv1"), in, out, 3);
        this.timeEmbProj = new Linear(p.sub("time_emb_proj"), temb, out, true);
        this.norm2 = new GroupNorm(p.sub("norm2"), groups, out, eps);
        this.conv2 = Conv2d.same(p.sub("conv2"), out, out, 3);
        this.convShortcut = in != out ? new Conv2d(p.sub("conv_shortcut"), in, out, 1, 1, 0) : null;
        this.outputScaleFactor = outputScaleFactor;
    }

    public Var forward(Var x, Var temb) {
        Var h = conv1.forward(F.silu(norm1.forward(x)));
        h = F.addChannelBias(h, timeEmbProj.forward(F.silu(temb)));
        h = conv2.forward(F.silu(norm2.forward(h)));
        Var out = F.add(convShortcut != null ? convShortcut.forward(x) : x, h);
        return outputScaleFactor == 1f ? out : F.scale(out, 1f / outputScaleFactor);
    }
}
