package dev.vega4j.train.nn;

import dev.vega4j.train.autograd.Var;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code UNetMidBlock2DCrossAttn} (resnet, then (transformer, resnet) pairs) or, for Segmind Vega,
 * {@code UNetMidBlock2D} with {@code num_layers=0, add_attention=False}: a single resnet.
 */
public final class MidBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();

    MidBlock(ParamScope p, UNetSpec.Block s, boolean crossAttn, float scaleFactor) {
        resnets.add(new ResnetBlock2D(p.sub("resnets").sub(0), s.in(), s.in(), s.temb(), s.groups(), s.eps(),
                scaleFactor));
        if (crossAttn) {
            for (int i = 0; i < s.layers(); i++) {
                attentions.add(new Transformer2DModel(p.sub("attentions").sub(i), s.heads(), s.in() / s.heads(),
                        s.in(), s.transformerLayers()[i], s.crossDim(), s.groups(), s.linearProjection()));
                resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i + 1), s.in(), s.in(), s.temb(), s.groups(),
                        s.eps(), scaleFactor));
            }
        }
    }

    Var forward(Var x, Var temb, Var context, FeatureHook hook, boolean checkpoint) {
        Var h = Blocks.resnet(resnets.get(0), x, temb, checkpoint);
        hook.accept("resnets.0", h);
        for (int i = 0; i < attentions.size(); i++) {
            h = Blocks.transformer(attentions.get(i), h, context, checkpoint);
            hook.accept("attentions." + i, h);
            h = Blocks.resnet(resnets.get(i + 1), h, temb, checkpoint);
            hook.accept("resnets." + (i + 1), h);
        }
        return h;
    }
}
