package dev.vega4j.train.nn;

import dev.vega4j.models.unet.BlockSpec;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code DownBlock2D} (no attentions) and {@code CrossAttnDownBlock2D} ((resnet, Transformer2DModel) pairs),
 * then an optional stride-2 {@code downsamplers.0.conv}; built from the inference UNet's {@link BlockSpec}.
 */
public final class DownBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Conv2d downsampler;

    /** Output of a down block: the hidden states and the skip connections it adds. */
    public record Output(Var hiddenStates, List<Var> resSamples) {}

    /** diffusers {@code DownBlock2D(**spec)}. */
    static DownBlock downBlock2D(ParamScope p, BlockSpec s) {
        return new DownBlock(p, s, false);
    }

    /** diffusers {@code CrossAttnDownBlock2D(**spec)}. */
    static DownBlock crossAttnDownBlock2D(ParamScope p, BlockSpec s) {
        return new DownBlock(p, s, true);
    }

    private DownBlock(ParamScope p, BlockSpec s, boolean crossAttention) {
        int out = s.outChannels();
        for (int i = 0; i < s.numLayers(); i++) {
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i), i == 0 ? s.inChannels() : out, out,
                    s.resnetOptions()));
            if (crossAttention) {
                attentions.add(new Transformer2DModel(p.sub("attentions").sub(i), s.transformerOptions(i)));
            }
        }
        this.downsampler = s.addSample()
                ? new Conv2d(p.sub("downsamplers").sub(0).sub("conv"), out, out, 3, 2, s.downsamplePadding())
                : null;
    }

    Output forward(Var x, Var temb, Var context, FeatureHook hook, boolean checkpoint) {
        List<Var> out = new ArrayList<>();
        Var h = x;
        for (int i = 0; i < resnets.size(); i++) {
            h = Blocks.resnet(resnets.get(i), h, temb, checkpoint);
            hook.accept("resnets." + i, h);
            if (!attentions.isEmpty()) {
                h = Blocks.transformer(attentions.get(i), h, context, checkpoint);
                hook.accept("attentions." + i, h);
            }
            out.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            hook.accept("downsamplers.0", h);
            out.add(h);
        }
        return new Output(h, out);
    }
}
