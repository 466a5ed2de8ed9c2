package dev.vega4j.models.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.ResnetBlock2D;
import org.junit.jupiter.api.Test;

/** The UNet block builders start from diffusers 0.26.3's defaults ({@code models/unets/unet_2d_blocks.py}). */
class BlockOptionsTest {
    @Test
    void blockSpecDefaultsAreCrossAttnDownBlock2Ds() {
        // CrossAttnDownBlock2D.__init__: num_layers=1, transformer_layers_per_block=1, resnet_eps=1e-6,
        // resnet_act_fn="swish", resnet_groups=32, num_attention_heads=1, cross_attention_dim=1280,
        // output_scale_factor=1.0, downsample_padding=1, add_downsample=True, use_linear_projection=False,
        // only_cross_attention=False; get_down_block: resnet_skip_time_act=False
        BlockSpec s = BlockSpec.builder().inChannels(4).outChannels(8).tembChannels(16).build();
        assertThat(s).usingRecursiveComparison().isEqualTo(new BlockSpec(4, 8, 0, 1, new int[] {1}, 16, true, 1e-6f,
                Activation.SILU, 32, 1280, 1, 1, false, false, 1f, false));
        // transformer_layers_per_block=1 for every layer when not given
        assertThat(BlockSpec.builder().inChannels(4).outChannels(8).tembChannels(16).numLayers(3).build()
                .transformerLayers()).containsExactly(1, 1, 1);
        assertThatThrownBy(() -> BlockSpec.builder().inChannels(4).outChannels(8).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("temb_channels");
    }

    @Test
    void blockSpecHandsItsResnetSettingsOn() {
        BlockSpec s = BlockSpec.builder().inChannels(4).outChannels(8).tembChannels(16).resnetGroups(2)
                .resnetEps(1e-5f).resnetActFn(Activation.GELU).resnetSkipTimeAct(true).outputScaleFactor(2f).build();
        assertThat(s.resnetOptions()).isEqualTo(new ResnetBlock2D.Options(16, 2, 2, 1e-5f, Activation.GELU, true, 2f));
    }

    @Test
    void unetMidBlock2DDefaultsAreDiffusers() {
        // UNetMidBlock2D.__init__: num_layers=1, resnet_eps=1e-6, resnet_act_fn="swish", resnet_groups=32,
        // add_attention=True, attention_head_dim=1, output_scale_factor=1.0 (temb_channels: 0 stands for None)
        assertThat(UNetMidBlock2D.Options.builder().inChannels(64).build())
                .isEqualTo(new UNetMidBlock2D.Options(64, 0, 1, 1e-6f, Activation.SILU, 32, true, 1, 1f));
        assertThatThrownBy(() -> UNetMidBlock2D.Options.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in_channels");
    }
}
