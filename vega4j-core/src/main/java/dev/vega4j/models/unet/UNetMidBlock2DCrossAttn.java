package dev.vega4j.models.unet;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** diffusers {@code UNetMidBlock2DCrossAttn}: resnet, then {@code num_layers} (=1) x (Transformer2DModel, resnet). */
public final class UNetMidBlock2DCrossAttn implements UNetMidBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();

    /** {@code s.numLayers()} transformer/resnet pairs; in = out channels; depth per pair from the spec. */
    UNetMidBlock2DCrossAttn(Params p, BlockSpec s) {
        int c = s.inChannels();
        resnets.add(s.resnet(p, 0, c, c));
        for (int i = 0; i < s.numLayers(); i++) {
            attentions.add(s.transformer(p, i)); // at out_channels = in_channels
            resnets.add(s.resnet(p, i + 1, c, c));
        }
    }

    public List<Transformer2DModel> attentions() {
        return List.copyOf(attentions);
    }

    @Override
    public Tensor forward(Tensor x, Tensor temb, Tensor context, FeatureSink sink) {
        Tensor h = resnets.get(0).forward(x, temb);
        sink.accept("resnets.0", h);
        for (int i = 0; i < attentions.size(); i++) {
            h = attentions.get(i).forward(h, context);
            sink.accept("attentions." + i, h);
            h = resnets.get(i + 1).forward(h, temb);
            sink.accept("resnets." + (i + 1), h);
        }
        return h;
    }
}
