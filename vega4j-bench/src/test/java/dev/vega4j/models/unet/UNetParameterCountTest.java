package dev.vega4j.models.unet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.config.UNetConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.bench.ParameterCounts;
import org.junit.jupiter.api.Test;

/** Real-size parameter counts, from shapes only (no weight is allocated). */
class UNetParameterCountTest {

    @Test
    void segmindVegaHasPublishedCounts() {
        UNetConfig c = UNetConfig.load(Golden.root().resolve("realsize-configs/vega/unet/config.json"));
        ParameterCounts n = ParameterCounts.of(UNet2DConditionModel.parameterShapes(c));
        System.out.println("Segmind Vega UNet: " + n.summary("down_blocks", "mid_block", "up_blocks"));
        assertThat(ParameterCounts.millions(n.total())).isEqualTo("745.2M");
        assertThat(ParameterCounts.millions(n.of("down_blocks"))).isEqualTo("246.8M");
        assertThat(ParameterCounts.millions(n.of("mid_block"))).isEqualTo("31.1M");
        assertThat(ParameterCounts.millions(n.of("up_blocks"))).isEqualTo("459.9M");
    }

    @Test
    void sdxlBaseHasItsKnownCount() {
        UNetConfig c = UNetConfig.load(Golden.root().resolve("realsize-configs/sdxl/unet/config.json"));
        ParameterCounts n = ParameterCounts.of(UNet2DConditionModel.parameterShapes(c));
        System.out.println("SDXL base UNet: " + n.summary("down_blocks", "mid_block", "up_blocks"));
        assertThat(n.total()).isEqualTo(2_567_463_684L);
    }
}
