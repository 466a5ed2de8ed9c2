package dev.vega4j.cli;

import dev.vega4j.tensor.bench.OpsBenchmark;
import dev.vega4j.tensor.kernels.Parallel;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vega bench}: speed measurements; one subcommand per subject (others add theirs next to {@code ops}). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure speed.",
        subcommands = {BenchCommand.Ops.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code vega bench ops}: the tensor kernels against the machine's FMA peak measured in the same run. */
    @Command(name = "ops", mixinStandardHelpOptions = true,
            description = "Time the tensor ops at Segmind Vega 1024² shapes (batch 2) and report GFLOPS and %% of "
                    + "the FMA peak measured in the same run (GB/s for memory-bound ops), also per CPU-second.")
    static final class Ops implements Callable<Integer> {
        @Option(names = "--quick", description = "Small shapes, one timed run (a smoke test).")
        boolean quick;

        @Option(names = "--json", description = "Print the report as JSON instead of a table.")
        boolean json;

        @Option(names = "--threads", description = "Threads (default: -Dvega.threads or all cores).")
        Integer threads;

        @Option(names = "--reps", description = "Timed runs per case; the best is reported (default 3, quick 1).")
        Integer reps;

        @Option(names = "--filter", description = "Only cases whose op or shape contains this text.")
        String filter;

        @Option(names = "--pack-cache", description = "Cache packed weight panels across calls.")
        boolean packCache;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            int t = threads != null ? threads : Parallel.defaultThreads();
            int r = reps != null ? reps : (quick ? 1 : 3);
            if (t < 1 || r < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--threads and --reps must be >= 1");
            }
            var out = spec.commandLine().getOut();
            OpsBenchmark.Report report = OpsBenchmark.run(new OpsBenchmark.Options(quick, t, r, filter, packCache),
                    json ? null : new java.io.PrintStream(System.err, true));
            out.print(json ? OpsBenchmark.json(report) + System.lineSeparator() : OpsBenchmark.table(report));
            out.flush();
            return 0;
        }
    }
}
