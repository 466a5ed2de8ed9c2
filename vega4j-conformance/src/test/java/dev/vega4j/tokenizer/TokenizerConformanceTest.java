package dev.vega4j.tokenizer;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class TokenizerConformanceTest {
    @Test
    void everyGoldenPromptTokenizesExactlyWithBothTokenizers() {
        ConformanceAssertions.assertGroupPasses("tokenizer");
    }
}
