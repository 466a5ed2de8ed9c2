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

    /** {@code vega serve}'s scale-out options: one clear line each, before any model is loaded. */
    @Test
    void serveStoreAndRoleMistakesAreOneLine() {
        assertThat(serveError("--role", "worker")).isEqualTo("vega: error: --role worker needs --store URL (a shared"
                + " PostgreSQL store)");
        assertThat(serveError("--store", "mysql://u:secret@db/x")).startsWith("vega: error: --store must be a"
                + " PostgreSQL URL").doesNotContain("secret");
        assertThat(serveError("--store", "postgresql://vega@127.0.0.1:1/vega", "--role", "boss"))
                .isEqualTo("vega: error: --role must be all, api or worker, got 'boss'");
        assertThat(serveError("--store", "postgresql://vega@127.0.0.1:1/vega", "--role", "api", "-m", "x"))
                .startsWith("vega: error: an api node (--role api) loads no model");
        assertThat(serveError("--store", "postgresql://vega:pw@127.0.0.1:1/vega", "--role", "api"))
                .startsWith("vega: error: cannot reach the store postgresql://127.0.0.1:1/vega as vega:")
                .doesNotContain("pw");
    }

    private static String serveError(String... args) {
        StringWriter err = new StringWriter();
        var cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        assertThat(cl.execute(all)).isEqualTo(1);
        return err.toString().strip();
    }

    @picocli.CommandLine.Command(name = "boom")
    static final class OutOfMemory implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @picocli.CommandLine.Command(name = "boom-native")
    static final class OutOfNativeMemory implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Cannot reserve 4096 bytes of direct buffer memory (allocated: 0, limit: 1024)");
        }
    }

    @Test
    void runningOutOfDirectMemoryNamesItsLimit() {
        StringWriter err = new StringWriter();
        var cl = VegaCli.commandLine();
        cl.addSubcommand(new OutOfNativeMemory());
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("boom-native")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("vega: error: out of native memory")
                .contains("MaxDirectMemorySize").doesNotContain("\tat ");
    }

    @Test
    void runningOutOfHeapIsAdviceNotAStackTrace() {
        // a 2048x2048 generation under a small heap once ended in "Exception in thread main java.lang.OutOfMemoryError"
        StringWriter err = new StringWriter();
        var cl = VegaCli.commandLine();
        cl.addSubcommand(new OutOfMemory());
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("boom")).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("vega: error: out of memory (Java heap limit ")
                .contains("smaller image size").contains("VEGA_HEAP").doesNotContain("\tat ")
                // fused LoRAs keep their layer copies in native memory: no heap advice for them any more
                .doesNotContain("--preset vegart");
    }
}
