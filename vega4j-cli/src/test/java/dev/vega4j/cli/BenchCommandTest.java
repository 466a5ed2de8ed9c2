package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code vega bench ops} is wired into the CLI and prints JSON on request (a smoke test: speed is not checked). */
class BenchCommandTest {

    @Test
    void benchOpsQuickJson() {
        CommandLine cl = VegaCli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("bench", "ops", "--quick", "--json", "--filter", "linear M=256", "--threads", "1");
        assertThat(code).isZero();
        assertThat(out.toString().trim()).startsWith("{\"peakGflops\":").contains("\"op\":\"linear\"").endsWith("]}");
    }

    @Test
    void badThreadCountIsAUsageError() {
        CommandLine cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute("bench", "ops", "--threads", "0")).isNotZero();
    }
}
