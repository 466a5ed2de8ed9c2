package dev.vega4j.schedulers;

import dev.vega4j.conformance.ConformanceAssertions;
import org.junit.jupiter.api.Test;

class SchedulersExtConformanceTest {
    @Test
    void schedulersExtGroupPasses() {
        ConformanceAssertions.assertGroupPasses("schedulers_ext");
    }
}
