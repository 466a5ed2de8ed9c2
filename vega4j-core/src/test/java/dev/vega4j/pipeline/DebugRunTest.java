package dev.vega4j.pipeline;

import dev.vega4j.golden.*;
import org.junit.jupiter.api.Test;

class DebugRunTest {
    @Test
    void dump() {
        String g = System.getProperty("dbg.group", "pipelines");
        var impl = ConformanceRunner.implementations().get(g);
        var group = GoldenGroup.load(Golden.root(), g);
        for (CaseResult r : impl.run(group)) {
            System.out.println("== " + r.caseId() + " passed=" + r.passed() + " " + (r.passed() ? "" : r.summary()));
            for (Comparison c : r.comparisons()) {
                if (!c.passed() || Boolean.getBoolean("dbg.all")) System.out.println("   " + c);
            }
        }
    }
}
