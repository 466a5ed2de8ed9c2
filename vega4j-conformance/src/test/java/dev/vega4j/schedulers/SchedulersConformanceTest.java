package dev.vega4j.schedulers;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class SchedulersConformanceTest {
    @Test
    void schedulersGroupPasses() {
        ConformanceAssertions.assertGroupPasses("schedulers");
    }
}
