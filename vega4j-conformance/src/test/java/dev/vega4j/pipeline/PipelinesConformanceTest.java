package dev.vega4j.pipeline;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class PipelinesConformanceTest {
    @Test
    void everyGoldenRunMatchesDiffusers() {
        ConformanceAssertions.assertGroupPasses("pipelines");
    }
}
