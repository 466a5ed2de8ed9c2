package dev.vega4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** JUnit side of the conformance runner: a group must be implemented, have cases, and pass them all. */
public final class ConformanceAssertions {
    private ConformanceAssertions() {}

    public static ConformanceRunner.GroupResult assertGroupPasses(String group) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        ConformanceRunner.GroupResult r = new ConformanceRunner(Golden.root(), ps, false).runGroup(group);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        assertThat(r.implemented()).as("group %s is implemented", group).isTrue();
        assertThat(r.cases()).as("group %s has cases", group).isNotEmpty();
        assertThat(r.failed()).as("failures in group %s:%n%s", group, report).isZero();
        return r;
    }
}
