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
    void benchOpsNamesTheGemmTileItRuns() {
        CommandLine cl = VegaCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("bench", "ops", "--quick", "--json", "--filter", "linear M=256", "--threads", "1"))
                .isZero();
        String shape = dev.vega4j.tensor.kernels.GemmKernels.K.shape();
        assertThat(err.toString()).startsWith("GEMM tile: " + shape + " (");
        StringWriter table = new StringWriter();
        cl.setOut(new PrintWriter(table));
        assertThat(cl.execute("bench", "ops", "--quick", "--filter", "linear M=256", "--threads", "1")).isZero();
        assertThat(table.toString()).startsWith("GEMM tile: " + shape + " (").contains("linear");
    }

    @Test
    void badThreadCountIsAUsageError() {
        CommandLine cl = VegaCli.commandLine();
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute("bench", "ops", "--threads", "0")).isNotZero();
    }

    @Test
    void modelBenchAndTableHaveUsableHelp() {
        for (String[] args : new String[][] {{"bench", "--help"}, {"bench", "table", "--help"}}) {
            CommandLine cl = VegaCli.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            assertThat(cl.execute(args)).isZero();
            assertThat(out.toString()).contains("--quick").contains("--json");
        }
        StringWriter out = new StringWriter();
        CommandLine cl = VegaCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.execute("bench", "--help");
        assertThat(out.toString()).contains("% of the FMA peak").contains("--sequential").contains("--model-type");
    }

    @Test
    void unknownModelTypeIsAReadableError() {
        CommandLine cl = VegaCli.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("bench", "--model-type", "nope", "--quick")).isNotZero();
        assertThat(err.toString()).contains("unknown model 'nope'");
    }
}
