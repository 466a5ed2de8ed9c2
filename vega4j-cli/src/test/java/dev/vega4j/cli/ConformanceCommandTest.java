package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code vega conformance} argument checks (the groups themselves run in vega4j-core's tests). */
class ConformanceCommandTest {
    @Test
    void unknownGroupIsAnErrorListingTheGroups() {
        StringWriter err = new StringWriter();
        var cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        // it once printed "bogus not-implemented / 0 passed, 0 failed" and exited 0
        assertThat(cl.execute("conformance", "--group", "bogus", "--golden", "/nonexistent")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("vega: error: unknown conformance group 'bogus'; groups: ")
                .contains("schedulers").contains("pipelines").contains("inpaint");
    }
}
