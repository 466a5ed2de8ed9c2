package dev.vega4j.models.clip;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class TextEncodersConformanceTest {
    @Test
    void everyTextEncoderCasePasses() {
        ConformanceAssertions.assertGroupPasses("text_encoders");
    }
}
