package dev.vega4j.models.vae;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

/** Every case of {@code cases/vae} (decode and encode) at the golden README tolerance. */
class VaeConformanceTest {
    @Test
    void vaeGroupPasses() {
        ConformanceAssertions.assertGroupPasses("vae");
    }
}
