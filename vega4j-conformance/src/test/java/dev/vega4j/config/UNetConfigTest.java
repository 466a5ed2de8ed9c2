package dev.vega4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import org.junit.jupiter.api.Test;

class UNetConfigTest {
    private static UNetConfig parse(String json) throws Exception {
        return UNetConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }

    @Test
    void omittedKeysTakeDiffusersDefaults() throws Exception {
        UNetConfig c = parse("{}");
        assertThat(c.levels()).isEqualTo(4);
        assertThat(c.blockOutChannels()).containsExactly(320, 640, 1280, 1280);
        assertThat(c.downBlockTypes()).containsExactly("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D", "DownBlock2D");
        assertThat(c.midBlockType()).isEqualTo("UNetMidBlock2DCrossAttn");
        assertThat(c.numAttentionHeads()).containsExactly(8, 8, 8, 8);
        assertThat(c.crossAttentionDim()).containsExactly(1280, 1280, 1280, 1280);
        assertThat(c.layersPerBlock()).containsExactly(2, 2, 2, 2);
        assertThat(c.transformerLayersDown()[0]).containsExactly(1, 1);
        assertThat(c.transformerLayersMid()).containsExactly(1);
        assertThat(c.transformerLayersUp()[3]).containsExactly(1, 1, 1);
        assertThat(c.useLinearProjection()).isFalse();
        assertThat(c.additionEmbedType()).isNull();
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.normEps()).isEqualTo(1e-5f);
        assertThat(c.timeEmbedDim()).isEqualTo(1280);
        assertThat(c.flipSinToCos()).isTrue();
    }

    @Test
    void explicitNullsMeanNone() throws Exception {
        UNetConfig c = parse("{\"mid_block_type\": null, \"norm_num_groups\": null}");
        assertThat(c.midBlockType()).isNull();
        assertThat(c.normNumGroups()).isNull();
    }

    @Test
    void attentionHeadDimIsTheHeadCountUnlessNumAttentionHeadsIsGiven() throws Exception {
        assertThat(parse("{\"attention_head_dim\": [5, 10, 20, 20]}").numAttentionHeads()).containsExactly(5, 10, 20,
                20);
        assertThat(parse("{\"attention_head_dim\": 64, \"num_attention_heads\": 4}").numAttentionHeads())
                .containsExactly(4, 4, 4, 4);
    }

    @Test
    void segmindVegaDepthsAreMirroredUp() {
        UNetConfig c = UNetConfig.load(Golden.root().resolve("realsize-configs/vega/unet/config.json"));
        assertThat(c.midBlockType()).isEqualTo("UNetMidBlock2D");
        assertThat(c.transformerLayersDown()).isDeepEqualTo(new int[][] {{0, 0}, {1, 1}, {2, 2}});
        assertThat(c.transformerLayersUp()).isDeepEqualTo(new int[][] {{2, 2, 2}, {1, 1, 1}, {0, 0, 0}});
        assertThat(c.transformerLayersMid()).containsExactly(2);
        assertThat(c.additionEmbedType()).isEqualTo("text_time");
        assertThat(c.upcastAttention()).isFalse();
    }

    @Test
    void perLayerDepthsNeedReverseDepths() throws Exception {
        String down = "\"block_out_channels\": [32, 64], \"down_block_types\": [\"DownBlock2D\","
                + " \"CrossAttnDownBlock2D\"], \"up_block_types\": [\"CrossAttnUpBlock2D\", \"UpBlock2D\"],"
                + " \"transformer_layers_per_block\": [1, [1, 3]]";
        assertThatThrownBy(() -> parse("{" + down + "}")).isInstanceOf(VegaException.class)
                .hasMessageContaining("reverse_transformer_layers_per_block");
        UNetConfig c = parse("{" + down + ", \"reverse_transformer_layers_per_block\": [[3, 2, 1], [1, 1, 1]]}");
        assertThat(c.transformerLayersDown()[1]).containsExactly(1, 3);
        assertThat(c.transformerLayersMid()).containsExactly(1);
        assertThat(c.transformerLayersUp()[0]).containsExactly(3, 2, 1);
    }

    @Test
    void wrongKindsAreReadableErrors() {
        assertThatThrownBy(() -> parse("{\"block_out_channels\": \"big\"}")).isInstanceOf(VegaException.class)
                .hasMessageContaining("block_out_channels");
        assertThatThrownBy(() -> parse("{\"layers_per_block\": [1, 2]}")).isInstanceOf(VegaException.class)
                .hasMessageContaining("layers_per_block");
    }

    @Test
    void sizesOutOfRangeNameTheirKey() {
        // found by fuzzing: a negative width reached the block builder as an IllegalStateException
        assertThatThrownBy(() -> parse("{\"block_out_channels\": [32, -16, 32, 32]}")).isInstanceOf(VegaException.class)
                .hasMessage("test: config key 'block_out_channels' must be between 1 and 65536, got -16");
        assertThatThrownBy(() -> parse("{\"layers_per_block\": 0}")).isInstanceOf(VegaException.class)
                .hasMessageContaining("'layers_per_block' must be between 1 and 1024, got 0");
        assertThatThrownBy(() -> parse("{\"transformer_layers_per_block\": 100000}"))
                .isInstanceOf(VegaException.class).hasMessageContaining("'transformer_layers_per_block'");
        assertThatThrownBy(() -> parse("{\"down_block_types\": [], \"up_block_types\": []}"))
                .isInstanceOf(VegaException.class).hasMessageContaining("down_block_types is empty");
    }
}
