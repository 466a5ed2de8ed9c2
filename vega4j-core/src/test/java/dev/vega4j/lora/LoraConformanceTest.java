package dev.vega4j.lora;

import dev.vega4j.golden.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class LoraConformanceTest {
    @Test
    void loraMatchesDiffusersForEveryGoldenCase() {
        ConformanceAssertions.assertGroupPasses("lora");
    }
}
