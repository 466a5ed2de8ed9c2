package dev.vega4j.models.unet;

import dev.vega4j.models.layers.Activation;

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
        boolean onlyCrossAttention) {}
