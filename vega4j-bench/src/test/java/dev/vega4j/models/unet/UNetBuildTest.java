package dev.vega4j.models.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.io.MapWeights;
import dev.vega4j.io.MissingWeightsException;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.bench.RandomWeights;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UNetBuildTest {
    private static final Path TINY_VEGA = Golden.root().resolve("tiny-vega/unet");

    private static Map<String, Tensor> tinyVegaWeights() {
        Map<String, Tensor> map = new LinkedHashMap<>();
        try (SafetensorsWeights w = SafetensorsWeights.open(TINY_VEGA.resolve("diffusion_pytorch_model.safetensors"))) {
            for (String n : w.allNames()) {
                map.put(n, w.get(n));
            }
        }
        return map;
    }

    @Test
    void everyMissingWeightIsListed() {
        UNetConfig c = UNetConfig.load(TINY_VEGA.resolve("config.json"));
        Map<String, Tensor> map = tinyVegaWeights();
        map.remove("mid_block.resnets.0.norm1.bias");
        map.remove("up_blocks.0.attentions.1.transformer_blocks.1.attn2.to_k.weight");
        assertThatThrownBy(() -> UNet2DConditionModel.create(c, new MapWeights(map, "test")))
                .isInstanceOfSatisfying(MissingWeightsException.class, e -> assertThat(e.missing())
                        .isEqualTo(Set.of("mid_block.resnets.0.norm1.bias",
                                "up_blocks.0.attentions.1.transformer_blocks.1.attn2.to_k.weight")));
    }

    @Test
    void aWeightOfTheWrongShapeIsNamed() {
        UNetConfig c = UNetConfig.load(TINY_VEGA.resolve("config.json"));
        Map<String, Tensor> map = tinyVegaWeights();
        map.put("conv_in.weight", Tensor.zeros(24, 4, 1, 1));
        assertThatThrownBy(() -> UNet2DConditionModel.create(c, new MapWeights(map, "test")))
                .isInstanceOf(VegaException.class).hasMessageContaining("conv_in.weight");
    }

    @Test
    void shapesOnlyBuildNamesExactlyTheCheckpointsTensors() {
        UNetConfig c = UNetConfig.load(TINY_VEGA.resolve("config.json"));
        Map<String, int[]> shapes = UNet2DConditionModel.parameterShapes(c);
        Map<String, Tensor> file = tinyVegaWeights();
        assertThat(shapes.keySet()).isEqualTo(file.keySet());
        shapes.forEach((k, s) -> assertThat(file.get(k).shape()).as(k).isEqualTo(s));
    }

    /** SSD-1B style: per-layer transformer depths down, explicit reversed depths up, odd latent size. */
    @Test
    void asymmetricDepthsBuildAndRun() throws Exception {
        String json = """
                {"block_out_channels": [16, 24, 32], "layers_per_block": 2, "norm_num_groups": 4,
                 "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
                 "mid_block_type": "UNetMidBlock2DCrossAttn", "attention_head_dim": [2, 2, 4],
                 "transformer_layers_per_block": [0, [1, 2], [2, 0]],
                 "reverse_transformer_layers_per_block": [[2, 1, 0], [1, 2, 1], [0, 0, 0]],
                 "cross_attention_dim": 12, "use_linear_projection": true,
                 "addition_embed_type": "text_time", "addition_time_embed_dim": 4,
                 "projection_class_embeddings_input_dim": 32}
                """;
        UNetConfig c = UNetConfig.fromJson(new ObjectMapper().readTree(json), "test");
        Map<String, int[]> shapes = UNet2DConditionModel.parameterShapes(c);
        assertThat(shapes).containsKey("down_blocks.1.attentions.1.transformer_blocks.1.attn1.to_q.weight")
                .doesNotContainKey("down_blocks.1.attentions.0.transformer_blocks.1.attn1.to_q.weight")
                .containsKey("down_blocks.2.attentions.0.transformer_blocks.1.ff.net.2.weight")
                .doesNotContainKey("down_blocks.2.attentions.1.transformer_blocks.0.norm1.weight")
                .containsKey("mid_block.attentions.0.transformer_blocks.1.norm3.bias")
                .containsKey("up_blocks.0.attentions.0.transformer_blocks.1.attn2.to_k.weight")
                .doesNotContainKey("up_blocks.0.attentions.2.transformer_blocks.0.attn2.to_k.weight")
                .containsKey("up_blocks.1.attentions.1.transformer_blocks.1.attn2.to_v.weight");
        assertThat(shapes.get("down_blocks.2.attentions.0.transformer_blocks.0.attn2.to_k.weight"))
                .containsExactly(32, 12);

        UNet2DConditionModel m = UNet2DConditionModel.create(c, RandomWeights.forUNet(c, 7));
        Tensor out = m.forward(Tensor.full(0.1f, 1, 4, 5, 7), 421.5f, Tensor.full(0.2f, 1, 3, 12),
                new UNet2DConditionModel.AddedConditions(Tensor.full(0.3f, 1, 8),
                        Tensor.of(new float[] {40, 56, 0, 0, 40, 56}, 1, 6)));
        assertThat(out.shape()).containsExactly(1, 4, 5, 7);
        for (float v : out.data()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void sdxlWithoutAddedConditionsIsAReadableError() {
        UNetConfig c = UNetConfig.load(TINY_VEGA.resolve("config.json"));
        UNet2DConditionModel m = UNet2DConditionModel.create(c, RandomWeights.forUNet(c, 1));
        assertThatThrownBy(() -> m.forward(Tensor.zeros(1, 4, 8, 8), 1f, Tensor.zeros(1, 77, 68), null))
                .isInstanceOf(VegaException.class).hasMessageContaining("time_ids");
    }
}
