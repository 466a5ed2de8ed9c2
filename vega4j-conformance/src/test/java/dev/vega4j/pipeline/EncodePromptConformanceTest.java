package dev.vega4j.pipeline;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class EncodePromptConformanceTest {
    @Test
    void encodePromptMatchesDiffusersForEveryGoldenCase() {
        ConformanceAssertions.assertGroupPasses("encode_prompt");
    }
}
