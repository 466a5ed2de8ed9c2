package dev.vega4j.models.vae;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class VaeTinyConformanceTest {
    @Test
    void vaeTinyGroupPasses() {
        ConformanceAssertions.assertGroupPasses("vae_tiny");
    }
}
