package dev.vega4j.models.unet;

import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;
import java.util.Arrays;

/**
 * What {@code get_down_block} / {@code get_up_block} / the mid block hand every block of one UNet, resolved for one
 * level (diffusers {@code models/unets/unet_2d_blocks.py}). Built with {@link #builder()}, named like diffusers'
 * keyword arguments and starting from their defaults ({@code CrossAttnDownBlock2D.__init__}); {@link UNetBlockSpecs}
 * resolves them from a UNet config. Public so that other implementations of the same blocks (the trainable UNet)
 * are built from the same settings.
 *
 * @param inChannels          {@code in_channels} (required)
 * @param outChannels         {@code out_channels} (required)
 * @param prevOutputChannels  {@code prev_output_channel} of up blocks (the skip-free input), default 0: none
 * @param numLayers           {@code num_layers}: resnets (and attentions), default 1
 * @param transformerLayers   {@code transformer_layers_per_block}, one depth per resnet/attention pair; default 1 each
 * @param tembChannels        {@code temb_channels} (required)
 * @param addSample           {@code add_downsample} / {@code add_upsample}, default true
 * @param resnetEps           {@code resnet_eps}, default 1e-6
 * @param resnetActFn         {@code resnet_act_fn}, default "swish" (SiLU)
 * @param resnetGroups        {@code resnet_groups}, also the transformers' norm groups, default 32
 * @param crossAttentionDim   {@code cross_attention_dim}, default 1280
 * @param numAttentionHeads   {@code num_attention_heads}, default 1
 * @param downsamplePadding   {@code downsample_padding}, default 1
 * @param useLinearProjection {@code use_linear_projection}, default false
 * @param resnetSkipTimeAct   {@code resnet_skip_time_act}, default false
 * @param outputScaleFactor   {@code output_scale_factor} of the resnets, default 1.0
 * @param onlyCrossAttention  {@code only_cross_attention}, default false
 */
public record BlockSpec(
        int inChannels,
        int outChannels,
        int prevOutputChannels,
        int numLayers,
        int[] transformerLayers,
        int tembChannels,
        boolean addSample,
        float resnetEps,
        Activation resnetActFn,
        int resnetGroups,
        int crossAttentionDim,
        int numAttentionHeads,
        int downsamplePadding,
        boolean useLinearProjection,
        boolean resnetSkipTimeAct,
        float outputScaleFactor,
        boolean onlyCrossAttention) {

    /** A builder holding diffusers' defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings every resnet of the block shares. */
    public ResnetBlock2D.Options resnetOptions() {
        return ResnetBlock2D.Options.builder().tembChannels(tembChannels).groups(resnetGroups).eps(resnetEps)
                .nonLinearity(resnetActFn).skipTimeAct(resnetSkipTimeAct).outputScaleFactor(outputScaleFactor)
                .build();
    }

    /** {@code resnets.i}: a ResnetBlock2D from {@code in} to {@code out} channels with the block's shared settings. */
    ResnetBlock2D resnet(Params p, int i, int in, int out) {
        return new ResnetBlock2D(p.sub("resnets").sub(i), in, out, resnetOptions());
    }

    /**
     * Input channels of resnet {@code i} of an up block: the previous output (or the block's own) plus the skip it
     * concatenates (the last resnet takes the level's input).
     */
    public int upResnetInChannels(int i) {
        int skip = i == numLayers - 1 ? inChannels : outChannels;
        int prev = i == 0 ? prevOutputChannels : outChannels;
        return prev + skip;
    }

    /** The settings of {@code attentions.i} of a cross-attention block: a Transformer2DModel at out_channels. */
    public Transformer2DModel.Options transformerOptions(int i) {
        return Transformer2DModel.Options.builder()
                .numAttentionHeads(numAttentionHeads)
                .attentionHeadDim(outChannels / numAttentionHeads)
                .inChannels(outChannels)
                .numLayers(transformerLayers[i])
                .crossAttentionDim(crossAttentionDim)
                .normNumGroups(resnetGroups)
                .useLinearProjection(useLinearProjection)
                .onlyCrossAttention(onlyCrossAttention)
                .build();
    }

    /** {@code attentions.i} of a cross-attention block. */
    Transformer2DModel transformer(Params p, int i) {
        return new Transformer2DModel(p.sub("attentions").sub(i), transformerOptions(i));
    }

    /** Named setters in diffusers' keyword names; unset ones keep diffusers' default. */
    public static final class Builder {
        private int inChannels = -1;
        private int outChannels = -1;
        private int prevOutputChannels;
        private int numLayers = 1;
        private int[] transformerLayers; // null: 1 per layer
        private int tembChannels = -1;
        private boolean addSample = true;
        private float resnetEps = 1e-6f;
        private Activation resnetActFn = Activation.SILU;
        private int resnetGroups = 32;
        private int crossAttentionDim = 1280;
        private int numAttentionHeads = 1;
        private int downsamplePadding = 1;
        private boolean useLinearProjection;
        private boolean resnetSkipTimeAct;
        private float outputScaleFactor = 1f;
        private boolean onlyCrossAttention;

        private Builder() {}

        public Builder inChannels(int inChannels) {
            this.inChannels = inChannels;
            return this;
        }

        public Builder outChannels(int outChannels) {
            this.outChannels = outChannels;
            return this;
        }

        public Builder prevOutputChannels(int prevOutputChannels) {
            this.prevOutputChannels = prevOutputChannels;
            return this;
        }

        public Builder numLayers(int numLayers) {
            this.numLayers = numLayers;
            return this;
        }

        public Builder transformerLayers(int[] transformerLayers) {
            this.transformerLayers = transformerLayers;
            return this;
        }

        public Builder tembChannels(int tembChannels) {
            this.tembChannels = tembChannels;
            return this;
        }

        public Builder addSample(boolean addSample) {
            this.addSample = addSample;
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

        public Builder crossAttentionDim(int crossAttentionDim) {
            this.crossAttentionDim = crossAttentionDim;
            return this;
        }

        public Builder numAttentionHeads(int numAttentionHeads) {
            this.numAttentionHeads = numAttentionHeads;
            return this;
        }

        public Builder downsamplePadding(int downsamplePadding) {
            this.downsamplePadding = downsamplePadding;
            return this;
        }

        public Builder useLinearProjection(boolean useLinearProjection) {
            this.useLinearProjection = useLinearProjection;
            return this;
        }

        public Builder resnetSkipTimeAct(boolean resnetSkipTimeAct) {
            this.resnetSkipTimeAct = resnetSkipTimeAct;
            return this;
        }

        public Builder outputScaleFactor(float outputScaleFactor) {
            this.outputScaleFactor = outputScaleFactor;
            return this;
        }

        public Builder onlyCrossAttention(boolean onlyCrossAttention) {
            this.onlyCrossAttention = onlyCrossAttention;
            return this;
        }

        /** @throws IllegalStateException when in_channels, out_channels or temb_channels is not set */
        public BlockSpec build() {
            if (inChannels < 0 || outChannels < 0 || tembChannels < 0) {
                throw new IllegalStateException("a UNet block needs in_channels, out_channels and temb_channels");
            }
            int[] depths = transformerLayers;
            if (depths == null) {
                depths = new int[numLayers];
                Arrays.fill(depths, 1);
            }
            return new BlockSpec(inChannels, outChannels, prevOutputChannels, numLayers, depths, tembChannels,
                    addSample, resnetEps, resnetActFn, resnetGroups, crossAttentionDim, numAttentionHeads,
                    downsamplePadding, useLinearProjection, resnetSkipTimeAct, outputScaleFactor, onlyCrossAttention);
        }
    }
}
