package dev.vega4j.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.conformance.Golden;
import org.junit.jupiter.api.Test;

class VaeConfigTest {
    @Test
    void omittedKeysTakeDiffusersDefaults() throws Exception {
        VaeConfig c = VaeConfig.fromJson(new ObjectMapper().readTree("{}"), "test");
        assertThat(c.blockOutChannels()).containsExactly(64);
        assertThat(c.latentChannels()).isEqualTo(4);
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.scalingFactor()).isEqualTo(0.18215f);
        assertThat(c.forceUpcast()).isTrue();
        assertThat(c.scaleFactor()).isEqualTo(1);
    }

    @Test
    void sdxlVae() {
        VaeConfig c = VaeConfig.load(Golden.root().resolve("realsize-configs/sdxl/vae/config.json"));
        assertThat(c.scalingFactor()).isEqualTo(0.13025f);
        assertThat(c.scaleFactor()).isEqualTo(8);
    }
}
