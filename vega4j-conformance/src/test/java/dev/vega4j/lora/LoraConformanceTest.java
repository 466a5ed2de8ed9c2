package dev.vega4j.lora;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class LoraConformanceTest {
    @Test
    void loraMatchesDiffusersForEveryGoldenCase() {
        ConformanceAssertions.assertGroupPasses("lora");
    }
}
