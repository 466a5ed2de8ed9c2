package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Argument errors of {@code vega conformance} and the command line as a whole (the groups run in vega4j-core). */
class CommandLineErrorsTest {
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

    @Test
    void badOptionValuesAreOneReasonAndAHintNotTheWholeUsage() {
        StringWriter err = new StringWriter();
        var cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("generate", "a cat", "--steps", "abc")).isEqualTo(2);
        assertThat(err.toString().strip().lines().toList()).containsExactly(
                "vega: error: Invalid value for option '--steps': 'abc' is not an int",
                "Try 'vega generate --help' for the options.");
    }
}
