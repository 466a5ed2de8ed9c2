package dev.vega4j.models.unet;

import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Attention;
import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers {@code UNetMidBlock2D}: a resnet, then {@code num_layers} x (optional spatial self-attention, resnet).
 *
 * <p>Built by {@code UNet2DConditionModel} for {@code mid_block_type "UNetMidBlock2D"} (Segmind Vega) with
 * {@code num_layers=0} and {@code add_attention=False}: a single ResnetBlock2D. The VAE builds it with one layer and
 * attention (heads = channels / attention_head_dim, residual, GroupNorm with the resnet groups, eps as the resnets).
 */
public final class UNetMidBlock2D implements UNetMidBlock {
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Attention> attentions = new ArrayList<>();

    /**
     * @param tembChannels      0 for none (VAE)
     * @param attentionHeadDim  head width of the attention layers (VAE: all channels in one head)
     */
    public UNetMidBlock2D(Params p, int channels, int tembChannels, int numLayers, boolean addAttention,
            int attentionHeadDim, float eps, Activation act, int groups, float outputScaleFactor) {
        resnets.add(new ResnetBlock2D(p.sub("resnets").sub(0), channels, channels, tembChannels, groups, eps, act,
                outputScaleFactor));
        for (int i = 0; i < numLayers; i++) {
            attentions.add(addAttention
                    ? new Attention(p.sub("attentions").sub(i), channels, 0, channels / attentionHeadDim,
                            attentionHeadDim, true, groups, eps, true, outputScaleFactor)
                    : null);
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i + 1), channels, channels, tembChannels, groups, eps,
                    act, outputScaleFactor));
        }
    }

    @Override
    public Tensor forward(Tensor x, Tensor temb, Tensor context, FeatureSink sink) {
        Tensor h = resnets.get(0).forward(x, temb);
        sink.accept("resnets.0", h);
        for (int i = 0; i < attentions.size(); i++) {
            if (attentions.get(i) != null) {
                h = attentions.get(i).forwardSpatial(h);
                sink.accept("attentions." + i, h);
            }
            h = resnets.get(i + 1).forward(h, temb);
            sink.accept("resnets." + (i + 1), h);
        }
        return h;
    }

    public Tensor forward(Tensor x, Tensor temb) {
        return forward(x, temb, null, FeatureSink.NONE);
    }
}
