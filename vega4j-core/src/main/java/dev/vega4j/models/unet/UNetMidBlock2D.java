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
     * The keyword arguments of diffusers' {@code UNetMidBlock2D.__init__} that vega4j supports. Build with
     * {@link #builder()}, which starts from diffusers' defaults; {@code in_channels} has none and must be set.
     *
     * @param inChannels        {@code in_channels} (required), also the output width
     * @param tembChannels      {@code temb_channels}; 0 for None (the VAE), the default here
     * @param numLayers         {@code num_layers}: (attention, resnet) pairs after the first resnet, default 1
     * @param resnetEps         {@code resnet_eps}, also the attention's group-norm eps, default 1e-6
     * @param resnetActFn       {@code resnet_act_fn}, default "swish" (SiLU)
     * @param resnetGroups      {@code resnet_groups}, also the attention's norm groups, default 32
     * @param addAttention      {@code add_attention}, default true
     * @param attentionHeadDim  {@code attention_head_dim}: heads = in_channels / attention_head_dim, default 1
     * @param outputScaleFactor {@code output_scale_factor} of the resnets and the attention, default 1.0
     */
    public record Options(int inChannels, int tembChannels, int numLayers, float resnetEps, Activation resnetActFn,
            int resnetGroups, boolean addAttention, int attentionHeadDim, float outputScaleFactor) {
        /** The settings every resnet of the block shares. */
        public ResnetBlock2D.Options resnetOptions() {
            return ResnetBlock2D.Options.builder().tembChannels(tembChannels).groups(resnetGroups).eps(resnetEps)
                    .nonLinearity(resnetActFn).outputScaleFactor(outputScaleFactor).build();
        }

        /** A builder holding diffusers' defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** Named setters in diffusers' keyword names; unset ones keep diffusers' default. */
        public static final class Builder {
            private int inChannels;
            private int tembChannels;
            private int numLayers = 1;
            private float resnetEps = 1e-6f;
            private Activation resnetActFn = Activation.SILU;
            private int resnetGroups = 32;
            private boolean addAttention = true;
            private int attentionHeadDim = 1;
            private float outputScaleFactor = 1f;

            private Builder() {}

            public Builder inChannels(int inChannels) {
                this.inChannels = inChannels;
                return this;
            }

            /** 0 for diffusers' None (no time embedding). */
            public Builder tembChannels(int tembChannels) {
                this.tembChannels = tembChannels;
                return this;
            }

            public Builder numLayers(int numLayers) {
                this.numLayers = numLayers;
                return this;
            }

            public Builder resnetEps(float resnetEps) {
                this.resnetEps = resnetEps;
                return this;
            }

            public Builder resnetActFn(Activation resnetActFn) {
                this.resnetActFn = resnetActFn;
                return this;
            }

            public Builder resnetGroups(int resnetGroups) {
                this.resnetGroups = resnetGroups;
                return this;
            }

            public Builder addAttention(boolean addAttention) {
                this.addAttention = addAttention;
                return this;
            }

            public Builder attentionHeadDim(int attentionHeadDim) {
                this.attentionHeadDim = attentionHeadDim;
                return this;
            }

            public Builder outputScaleFactor(float outputScaleFactor) {
                this.outputScaleFactor = outputScaleFactor;
                return this;
            }

            /** @throws IllegalStateException without {@code in_channels} */
            public Options build() {
                if (inChannels <= 0) {
                    throw new IllegalStateException("UNetMidBlock2D needs in_channels");
                }
                return new Options(inChannels, tembChannels, numLayers, resnetEps, resnetActFn, resnetGroups,
                        addAttention, attentionHeadDim, outputScaleFactor);
            }
        }
    }

    /** {@code UNetMidBlock2D(**options)}; weights under {@code p}. */
    public UNetMidBlock2D(Params p, Options o) {
        int channels = o.inChannels();
        ResnetBlock2D.Options resnet = o.resnetOptions();
        Attention.Options attention = Attention.Options.builder().heads(channels / o.attentionHeadDim())
                .dimHead(o.attentionHeadDim()).bias(true).normNumGroups(o.resnetGroups()).eps(o.resnetEps())
                .residualConnection(true).rescaleOutputFactor(o.outputScaleFactor()).build();
        resnets.add(new ResnetBlock2D(p.sub("resnets").sub(0), channels, channels, resnet));
        for (int i = 0; i < o.numLayers(); i++) {
            attentions.add(o.addAttention() ? new Attention(p.sub("attentions").sub(i), channels, attention) : null);
            resnets.add(new ResnetBlock2D(p.sub("resnets").sub(i + 1), channels, channels, resnet));
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
