package dev.vega4j.train.nn;

import dev.vega4j.models.unet.BlockSpec;
import dev.vega4j.train.autograd.F;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code UpBlock2D} / {@code CrossAttnUpBlock2D}: each resnet eats the previous output concatenated with a
 * skip connection (last first), optionally followed by a transformer; then nearest x2 and {@code upsamplers.0.conv}.
 * Built from the inference UNet's {@link BlockSpec}.
 */
public final class UpBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Conv2d upsampler;

    /** diffusers {@code UpBlock2D(**spec)}. */
    static UpBlock upBlock2D(ParamScope p, BlockSpec s) {
        return new UpBlock(p, s, false);
    }

    /** diffusers {@code CrossAttnUpBlock2D(**spec)}. */
    static UpBlock crossAttnUpBlock2D(ParamScope p, BlockSpec s) {
        return new UpBlock(p, s, true);
    }

    private UpBlock(ParamScope p, BlockSpec s, boolean crossAttention) {
        int out = s.outChannels();
        for (int i = 0; i < s.numLayers(); i++) {
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i), s.upResnetInChannels(i), out, s.resnetOptions()));
            if (crossAttention) {
                attentions.add(new Transformer2DModel(p.sub("attentions").sub(i), s.transformerOptions(i)));
            }
        }
        this.upsampler = s.addSample() ? Conv2d.same(p.sub("upsamplers").sub(0).sub("conv"), out, out, 3) : null;
    }

    int resnetCount() {
        return resnets.size();
    }

    Var forward(Var x, List<Var> skips, Var temb, Var context, int[] upsampleSize, FeatureHook hook,
            boolean checkpoint) {
        Var h = x;
        for (int i = 0; i < resnets.size(); i++) {
            Var skip = skips.get(skips.size() - 1 - i);
            h = Blocks.resnet(resnets.get(i), F.concatChannels(h, skip), temb, checkpoint);
            hook.accept("resnets." + i, h);
            if (!attentions.isEmpty()) {
                h = Blocks.transformer(attentions.get(i), h, context, checkpoint);
                hook.accept("attentions." + i, h);
            }
        }
        if (upsampler != null) {
            int oh = upsampleSize == null ? h.dim(2) * 2 : upsampleSize[0];
            int ow = upsampleSize == null ? h.dim(3) * 2 : upsampleSize[1];
            h = upsampler.forward(F.upsampleNearest(h, oh, ow));
            hook.accept("upsamplers.0", h);
        }
        return h;
    }
}
