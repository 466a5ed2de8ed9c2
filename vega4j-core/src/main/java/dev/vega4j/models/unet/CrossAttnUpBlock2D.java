package dev.vega4j.models.unet;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;
import dev.vega4j.models.layers.Upsample2D;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** diffusers {@code CrossAttnUpBlock2D}: like {@link UpBlock2D} with a Transformer2DModel after every resnet. */
public final class CrossAttnUpBlock2D implements UNetUpBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    CrossAttnUpBlock2D(Params p, BlockSpec s) {
        for (int i = 0; i < s.numLayers(); i++) {
            resnets.add(s.resnet(p, i, s.upResnetInChannels(i), s.outChannels()));
            attentions.add(s.transformer(p, i));
        }
        this.upsampler = s.addSample() ? new Upsample2D(p.sub("upsamplers").sub(0), s.outChannels(), s.outChannels())
                : null;
    }

    public List<Transformer2DModel> attentions() {
        return List.copyOf(attentions);
    }

    @Override
    public int resnetCount() {
        return resnets.size();
    }

    @Override
    public Tensor forward(Tensor x, List<Tensor> resSamples, Tensor temb, Tensor context, int[] upsampleSize,
            FeatureSink sink) {
        Tensor h = x;
        for (int i = 0; i < resnets.size(); i++) {
            Tensor skip = resSamples.get(resSamples.size() - 1 - i);
            h = resnets.get(i).forward(Ops.get().concatChannels(h, skip), temb);
            sink.accept("resnets." + i, h);
            h = attentions.get(i).forward(h, context);
            sink.accept("attentions." + i, h);
        }
        if (upsampler != null) {
            h = upsampler.forward(h, upsampleSize);
            sink.accept("upsamplers.0", h);
        }
        return h;
    }
}
