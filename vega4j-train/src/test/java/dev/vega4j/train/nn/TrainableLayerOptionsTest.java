package dev.vega4j.train.nn;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.io.MapWeights;
import dev.vega4j.models.layers.Activation;
import dev.vega4j.models.unet.UNetMidBlock2D;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trainable layers take the inference layers' {@code Options}; a diffusers option they do not implement fails
 * with its keyword named instead of silently training another model.
 */
class TrainableLayerOptionsTest {
    private static ParamScope empty() {
        return ParamScope.from(new MapWeights(Map.of(), "test"));
    }

    @Test
    void resnetRejectsAnotherActivation() {
        var options = dev.vega4j.models.layers.ResnetBlock2D.Options.builder().tembChannels(16).groups(2)
                .nonLinearity(Activation.GELU).build();
        assertThatThrownBy(() -> new ResnetBlock2D(empty(), 4, 4, options)).isInstanceOf(VegaException.class)
                .hasMessageContaining("ResnetBlock2D").hasMessageContaining("non_linearity");
    }

    @Test
    void transformerRejectsOnlyCrossAttention() {
        var options = dev.vega4j.models.layers.Transformer2DModel.Options.builder().inChannels(8)
                .numAttentionHeads(2).attentionHeadDim(4).normNumGroups(2).onlyCrossAttention(true).build();
        assertThatThrownBy(() -> new Transformer2DModel(empty(), options)).isInstanceOf(VegaException.class)
                .hasMessageContaining("only_cross_attention");
    }

    @Test
    void midBlockRejectsSpatialSelfAttention() {
        // UNetMidBlock2D's defaults: num_layers=1, add_attention=True (the VAE's mid block)
        var options = UNetMidBlock2D.Options.builder().inChannels(8).tembChannels(16).resnetGroups(2).build();
        assertThatThrownBy(() -> MidBlock.unetMidBlock2D(empty(), options)).isInstanceOf(VegaException.class)
                .hasMessageContaining("add_attention");
    }
}
