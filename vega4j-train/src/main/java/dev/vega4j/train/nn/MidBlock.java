package dev.vega4j.train.nn;

import dev.vega4j.models.layers.ResnetBlock2D.Options;
import dev.vega4j.models.unet.BlockSpec;
import dev.vega4j.models.unet.UNetMidBlock2D;
import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code UNetMidBlock2DCrossAttn} (resnet, then (transformer, resnet) pairs) or, for Segmind Vega,
 * {@code UNetMidBlock2D} with {@code num_layers=0, add_attention=False}: a single resnet. Built from the inference
 * UNet's options.
 */
public final class MidBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();

    /** diffusers {@code UNetMidBlock2DCrossAttn(**spec)}: in = out channels. */
    static MidBlock unetMidBlock2DCrossAttn(ParamScope p, BlockSpec s) {
        MidBlock m = new MidBlock(p, s.inChannels(), s.resnetOptions());
        for (int i = 0; i < s.numLayers(); i++) {
            m.attentions.add(new Transformer2DModel(p.sub("attentions").sub(i), s.transformerOptions(i)));
            m.addResnet(p, s.inChannels(), s.resnetOptions());
        }
        return m;
    }

    /**
     * diffusers {@code UNetMidBlock2D(**options)} without attention: {@code 1 + num_layers} resnets (the spatial
     * self-attention of {@code add_attention=True} is not implemented).
     */
    static MidBlock unetMidBlock2D(ParamScope p, UNetMidBlock2D.Options o) {
        UNetSupport.requireOption(!o.addAttention() || o.numLayers() == 0, "UNetMidBlock2D", "add_attention", true);
        MidBlock m = new MidBlock(p, o.inChannels(), o.resnetOptions());
        for (int i = 0; i < o.numLayers(); i++) {
            m.addResnet(p, o.inChannels(), o.resnetOptions());
        }
        return m;
    }

    /** The first resnet, {@code resnets.0}. */
    private MidBlock(ParamScope p, int channels, Options resnet) {
        addResnet(p, channels, resnet);
    }

    private void addResnet(ParamScope p, int channels, Options resnet) {
        resnets.add(new ResnetBlock2D(p.sub("resnets").sub(resnets.size()), channels, channels, resnet));
    }

    Var forward(Var x, Var temb, Var context, FeatureHook hook, boolean checkpoint) {
        Var h = Blocks.resnet(resnets.get(0), x, temb, checkpoint);
        hook.accept("resnets.0", h);
        for (int i = 1; i < resnets.size(); i++) {
            if (!attentions.isEmpty()) {
                h = Blocks.transformer(attentions.get(i - 1), h, context, checkpoint);
                hook.accept("attentions." + (i - 1), h);
            }
            h = Blocks.resnet(resnets.get(i), h, temb, checkpoint);
            hook.accept("resnets." + i, h);
        }
        return h;
    }
}
