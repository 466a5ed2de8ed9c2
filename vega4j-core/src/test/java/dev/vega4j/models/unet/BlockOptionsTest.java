package dev.vega4j.models.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.layers.ResnetBlock2D;
import dev.vega4j.models.layers.Transformer2DModel;
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

    @Test
    void blockSpecHandsItsTransformerSettingsOn() {
        BlockSpec s = BlockSpec.builder().inChannels(4).outChannels(64).tembChannels(16).numLayers(2)
                .transformerLayers(new int[] {1, 3}).resnetGroups(8).crossAttentionDim(32).numAttentionHeads(4)
                .useLinearProjection(true).build();
        // attention_head_dim = out_channels // num_attention_heads, depth per (resnet, attention) pair
        assertThat(s.transformerOptions(1)).isEqualTo(new Transformer2DModel.Options(4, 16, 64, 3, 32, 8, true, false));
    }

    @Test
    void unetMidBlock2DHandsItsResnetSettingsOn() {
        UNetMidBlock2D.Options o = UNetMidBlock2D.Options.builder().inChannels(64).tembChannels(16).resnetGroups(8)
                .resnetEps(1e-5f).outputScaleFactor(2f).build();
        assertThat(o.resnetOptions()).isEqualTo(new ResnetBlock2D.Options(16, 8, 8, 1e-5f, Activation.SILU, false, 2f));
    }

    @Test
    void unetBlockSpecsResolveEveryLevelLikeUNet2DConditionModel() throws Exception {
        // the defaults of UNet2DConditionModel.__init__: SD 1.x's layout, block_out_channels (320, 640, 1280, 1280)
        UNetConfig c = UNetConfig.fromJson(new ObjectMapper().readTree("{}"), "test");
        BlockSpec down1 = UNetBlockSpecs.down(c, 1);
        assertThat(down1).usingRecursiveComparison().isEqualTo(new BlockSpec(320, 640, 0, 2, new int[] {1, 1}, 1280,
                true, 1e-5f, Activation.SILU, 32, 1280, 8, 1, false, false, 1f, false));
        assertThat(UNetBlockSpecs.down(c, 3).addSample()).isFalse();
        BlockSpec up0 = UNetBlockSpecs.up(c, 0);
        assertThat(new int[] {up0.inChannels(), up0.outChannels(), up0.prevOutputChannels(), up0.numLayers()})
                .containsExactly(1280, 1280, 1280, 3);
        assertThat(up0.downsamplePadding()).isZero();
        BlockSpec up3 = UNetBlockSpecs.up(c, 3);
        assertThat(new int[] {up3.inChannels(), up3.outChannels(), up3.prevOutputChannels()})
                .containsExactly(320, 320, 640);
        assertThat(up3.addSample()).isFalse();
        // up_blocks.3.resnets.{0,1,2}.conv1 of SD 1.5 take 960, 640 and 640 channels
        assertThat(new int[] {up3.upResnetInChannels(0), up3.upResnetInChannels(1), up3.upResnetInChannels(2)})
                .containsExactly(960, 640, 640);
        BlockSpec mid = UNetBlockSpecs.midCrossAttn(c);
        assertThat(new int[] {mid.inChannels(), mid.outChannels(), mid.numLayers()}).containsExactly(1280, 1280, 1);
        assertThat(mid.addSample()).isFalse();
        assertThat(UNetBlockSpecs.mid(c))
                .isEqualTo(new UNetMidBlock2D.Options(1280, 1280, 0, 1e-5f, Activation.SILU, 32, false, 1280, 1f));
    }
}
