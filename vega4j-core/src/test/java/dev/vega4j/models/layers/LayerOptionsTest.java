package dev.vega4j.models.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The option builders start from diffusers 0.26.3's {@code __init__} defaults and name fields like its keywords. */
class LayerOptionsTest {
    @Test
    void resnetBlock2DDefaultsAreDiffusers() {
        // models/resnet.py: temb_channels=512, groups=32, groups_out=None, eps=1e-6, non_linearity="swish",
        // skip_time_act=False, output_scale_factor=1.0
        assertThat(ResnetBlock2D.Options.builder().build())
                .isEqualTo(new ResnetBlock2D.Options(512, 32, 32, 1e-6f, Activation.SILU, false, 1f));
        // groups_out=None follows groups, wherever groups is set
        assertThat(ResnetBlock2D.Options.builder().groups(16).build().groupsOut()).isEqualTo(16);
        assertThat(ResnetBlock2D.Options.builder().groupsOut(8).groups(16).build().groupsOut()).isEqualTo(8);
        ResnetBlock2D.Options vae = ResnetBlock2D.Options.builder().tembChannels(0).eps(1e-5f)
                .nonLinearity(Activation.GELU).skipTimeAct(true).outputScaleFactor(2f).build();
        assertThat(vae).isEqualTo(new ResnetBlock2D.Options(0, 32, 32, 1e-5f, Activation.GELU, true, 2f));
        assertThatThrownBy(() -> ResnetBlock2D.Options.builder().nonLinearity(null).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("non_linearity");
    }

    @Test
    void attentionDefaultsAreDiffusers() {
        // models/attention_processor.py: cross_attention_dim=None, heads=8, dim_head=64, bias=False,
        // norm_num_groups=None, eps=1e-5, residual_connection=False, rescale_output_factor=1.0
        assertThat(Attention.Options.builder().build())
                .isEqualTo(new Attention.Options(0, 8, 64, false, 0, 1e-5f, false, 1f));
        assertThat(Attention.Options.builder().crossAttentionDim(768).heads(2).dimHead(4).bias(true)
                .normNumGroups(32).eps(1e-6f).residualConnection(true).rescaleOutputFactor(0.5f).build())
                .isEqualTo(new Attention.Options(768, 2, 4, true, 32, 1e-6f, true, 0.5f));
    }

    @Test
    void transformer2DModelDefaultsAreDiffusers() {
        // models/transformers/transformer_2d.py: num_attention_heads=16, attention_head_dim=88, num_layers=1,
        // cross_attention_dim=None, norm_num_groups=32, use_linear_projection=False, only_cross_attention=False
        assertThat(Transformer2DModel.Options.builder().inChannels(320).build())
                .isEqualTo(new Transformer2DModel.Options(16, 88, 320, 1, 0, 32, false, false));
        assertThatThrownBy(() -> Transformer2DModel.Options.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in_channels");
    }
}
