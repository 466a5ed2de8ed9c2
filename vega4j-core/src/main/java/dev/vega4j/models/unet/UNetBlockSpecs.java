package dev.vega4j.models.unet;

import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.models.layers.Activation;

/**
 * The keyword arguments {@code UNet2DConditionModel.__init__} (diffusers v0.26.3,
 * {@code models/unets/unet_2d_condition.py}) hands {@code get_down_block}, {@code get_up_block} and the mid block, per
 * level of a {@link UNetConfig}. The inference UNet and the trainable one build their blocks from these, so both
 * resolve a config the same way.
 *
 * <p>{@code resnet_skip_time_act} and {@code resnet_out_scale_factor}: get_down_block / get_up_block pass them only to
 * block types vega4j does not build, so (CrossAttn)DownBlock2D/UpBlock2D keep the defaults (false, 1.0).
 */
public final class UNetBlockSpecs {
    private static final String WHERE = "UNet config";

    private UNetBlockSpecs() {}

    /** {@code down_blocks.i}: from the previous level's width to this level's, downsampling all but the last. */
    public static BlockSpec down(UNetConfig c, int i) {
        int[] boc = c.blockOutChannels();
        return level(c, i)
                .inChannels(boc[Math.max(i - 1, 0)])
                .outChannels(boc[i])
                .numLayers(c.layersPerBlock()[i])
                .transformerLayers(c.transformerLayersDown()[i])
                .addSample(i < c.levels() - 1)
                .downsamplePadding(c.downsamplePadding())
                .onlyCrossAttention(c.onlyCrossAttention()[i])
                .build();
    }

    /** {@code mid_block} of type {@code UNetMidBlock2DCrossAttn}: one (transformer, resnet) pair at the last width. */
    public static BlockSpec midCrossAttn(UNetConfig c) {
        int last = c.levels() - 1;
        int channels = c.blockOutChannels()[last];
        return level(c, last)
                .inChannels(channels)
                .outChannels(channels)
                .numLayers(1)
                .transformerLayers(c.transformerLayersMid())
                .addSample(false)
                .downsamplePadding(0)
                .outputScaleFactor(c.midBlockScaleFactor())
                .build();
    }

    /** {@code mid_block} of type {@code UNetMidBlock2D}: diffusers passes num_layers=0, add_attention=False. */
    public static UNetMidBlock2D.Options mid(UNetConfig c) {
        int channels = c.blockOutChannels()[c.levels() - 1];
        return UNetMidBlock2D.Options.builder()
                .inChannels(channels)
                .tembChannels(c.timeEmbedDim())
                .numLayers(0)
                .addAttention(false)
                .attentionHeadDim(channels)
                .resnetEps(c.normEps())
                .resnetActFn(Activation.of(c.actFn(), WHERE))
                .resnetGroups(c.normNumGroups())
                .outputScaleFactor(c.midBlockScaleFactor())
                .build();
    }

    /**
     * {@code up_blocks.i}: mirrors level {@code levels - 1 - i}; its first resnet takes the previous up block's output
     * ({@code prev_output_channel}), its last the skip of the level below.
     */
    public static BlockSpec up(UNetConfig c, int i) {
        int[] boc = c.blockOutChannels();
        int mirrored = c.levels() - 1 - i;
        return level(c, mirrored)
                .inChannels(boc[Math.max(mirrored - 1, 0)])
                .outChannels(boc[mirrored])
                .prevOutputChannels(boc[Math.min(mirrored + 1, c.levels() - 1)])
                .numLayers(c.upLayers(i))
                .transformerLayers(c.transformerLayersUp()[i])
                .addSample(i < c.levels() - 1)
                .downsamplePadding(0)
                .onlyCrossAttention(c.onlyCrossAttention()[mirrored])
                .build();
    }

    /** What every block at {@code level} takes from the config: the resnets' settings and the level's attention. */
    private static BlockSpec.Builder level(UNetConfig c, int level) {
        if (c.normNumGroups() == null) {
            // diffusers' null means no group norm in the resnets, which no block here builds (found by fuzzing:
            // it surfaced as a NullPointerException)
            throw new VegaException(WHERE + ": norm_num_groups null (resnets without group norm) is not supported");
        }
        return BlockSpec.builder()
                .tembChannels(c.timeEmbedDim())
                .resnetEps(c.normEps())
                .resnetActFn(Activation.of(c.actFn(), WHERE))
                .resnetGroups(c.normNumGroups())
                .crossAttentionDim(c.crossAttentionDim()[level])
                .numAttentionHeads(c.numAttentionHeads()[level])
                .useLinearProjection(c.useLinearProjection());
    }
}
