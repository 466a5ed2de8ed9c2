package dev.vega4j.models.unet;

import dev.vega4j.models.layers.Downsample2D;
import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code CrossAttnDownBlock2D}: (resnet, Transformer2DModel) pairs, then an optional downsampler. Head dim =
 * out_channels / num_attention_heads; the transformer depth may differ per pair (SSD-1B).
 */
public final class CrossAttnDownBlock2D implements UNetDownBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    CrossAttnDownBlock2D(Params p, BlockSpec s) {
        for (int i = 0; i < s.numLayers(); i++) {
            resnets.add(s.resnet(p, i, i == 0 ? s.inChannels() : s.outChannels(), s.outChannels()));
            attentions.add(s.transformer(p, i));
        }
        this.downsampler = s.addSample()
                ? new Downsample2D(p.sub("downsamplers").sub(0), s.outChannels(), s.outChannels(), s.downsamplePadding())
                : null;
    }

    public List<Transformer2DModel> attentions() {
        return List.copyOf(attentions);
    }

    @Override
    public Output forward(Tensor x, Tensor temb, Tensor context, FeatureSink sink) {
        List<Tensor> out = new ArrayList<>();
        Tensor h = x;
        for (int i = 0; i < resnets.size(); i++) {
            h = resnets.get(i).forward(h, temb);
            sink.accept("resnets." + i, h);
            h = attentions.get(i).forward(h, context);
            sink.accept("attentions." + i, h);
            out.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            sink.accept("downsamplers.0", h);
            out.add(h);
        }
        return new Output(h, out);
    }
}
