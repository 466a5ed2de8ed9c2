package dev.vega4j.spark;

import dev.vega4j.VegaException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The batch job's {@code spark-submit} entry point ({@code --class dev.vega4j.spark.BatchGenerate}); {@code vega batch}
 * runs the same {@link BatchJob} in local mode. Prints the progress line and a summary on stderr and exits 0 when the
 * job ran, bad rows or not (they are in the results), 1 when it could not run.
 */
@Command(name = "BatchGenerate", mixinStandardHelpOptions = true,
        description = "Generate an image for every row of a table, on Spark.")
public final class BatchGenerate implements Callable<Integer> {
    @Mixin
    BatchArgs args;

    @Override
    public Integer call() {
        return runAndReport(args.toOptions(), System.err);
    }

    /** Runs the job and prints its summary; what {@code vega batch} does too. */
    public static int runAndReport(BatchOptions options, PrintStream err) {
        BatchJob.Summary s = BatchJob.run(options, err);
        for (String e : s.errors()) {
            err.println("bad " + e);
        }
        err.printf("%d rows: %d generated, %d kept from an earlier run, %d failed; %d %s; results in %s%n", s.rows(),
                s.generated(), s.kept(), s.failed(), s.outputs(), options.latents() ? "latents files" : "images",
                s.results());
        err.flush();
        return 0;
    }

    public static void main(String[] argv) {
        CommandLine cl = new CommandLine(new BatchGenerate());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (!(e instanceof VegaException)) {
                throw e;
            }
            line.getErr().println("BatchGenerate: error: " + e.getMessage());
            return 1;
        });
        System.exit(cl.execute(argv));
    }
}
