package dev.vega4j.models.unet;

import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.Params;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;

/**
 * What {@code get_down_block} / {@code get_up_block} hand every block of one UNet, resolved for one level
 * (diffusers {@code models/unets/unet_2d_blocks.py}).
 *
 * @param transformerLayers transformer depth per resnet/attention pair of this block
 */
record BlockSpec(
        int inChannels,
        int outChannels,
        int prevOutputChannels,
        int numLayers,
        int[] transformerLayers,
        int tembChannels,
        boolean addSample,
        float resnetEps,
        Activation act,
        int groups,
        int crossAttentionDim,
        int numAttentionHeads,
        int downsamplePadding,
        boolean useLinearProjection,
        boolean skipTimeAct,
        float outputScaleFactor,
        boolean onlyCrossAttention) {

    /** {@code resnets.i}: a ResnetBlock2D from {@code in} to {@code out} channels with the block's shared settings. */
    ResnetBlock2D resnet(Params p, int i, int in, int out) {
        return new ResnetBlock2D(p.sub("resnets").sub(i), in, out, tembChannels, groups, groups, resnetEps, act,
                skipTimeAct, outputScaleFactor);
    }

    /** {@code attentions.i} of a cross-attention down/up block: a Transformer2DModel at out_channels. */
    Transformer2DModel transformer(Params p, int i) {
        return new Transformer2DModel(p.sub("attentions").sub(i), numAttentionHeads,
                outChannels / numAttentionHeads, outChannels, transformerLayers[i], crossAttentionDim, groups,
                useLinearProjection, onlyCrossAttention);
    }
}
