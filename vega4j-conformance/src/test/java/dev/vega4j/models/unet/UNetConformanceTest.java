package dev.vega4j.models.unet;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

/** Every case of {@code cases/unet}: output and every hooked feature at the golden README tolerance. */
class UNetConformanceTest {
    @Test
    void unetGroupPasses() {
        ConformanceAssertions.assertGroupPasses("unet");
    }
}
