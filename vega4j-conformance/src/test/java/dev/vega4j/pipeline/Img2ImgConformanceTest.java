package dev.vega4j.pipeline;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class Img2ImgConformanceTest {
    @Test
    void everyGoldenRunMatchesDiffusers() {
        ConformanceAssertions.assertGroupPasses("img2img");
    }
}
