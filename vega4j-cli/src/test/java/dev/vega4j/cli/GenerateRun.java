package dev.vega4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** {@code vega generate} in this JVM as the launcher runs it (same error handler), its output and errors in one log. */
final class GenerateRun {
    private GenerateRun() {}

    /** Runs {@code args} followed by {@code extra}; returns the exit code. */
    static int execute(StringWriter log, List<String> args, String... extra) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(extra));
        CommandLine cl = new CommandLine(new GenerateCommand());
        cl.setExecutionExceptionHandler(new VegaCli.ErrorHandler());
        cl.setOut(new PrintWriter(log, true));
        cl.setErr(new PrintWriter(log, true));
        return cl.execute(all.toArray(String[]::new));
    }
}
