package dev.vega4j.cli;

import dev.vega4j.tensor.Switches;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vega} command: one entry point, one subcommand per job. */
@Command(name = "vega", mixinStandardHelpOptions = true, versionProvider = VegaCli.Version.class,
        description = "Segmind Vega and the Stable Diffusion family in pure Java.",
        subcommands = {CommandLine.HelpCommand.class, ConformanceCommand.class, ServeCommand.class,
            BenchCommand.class, DistillCommand.class, DownloadCommand.class, GenerateCommand.class,
            ConvertCommand.class, BatchCommand.class})
public final class VegaCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VegaCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new UsageErrorHandler());
        cl.setExecutionStrategy(VegaCli::runOutOfMemoryAware);
        return cl;
    }

    /**
     * picocli turns exceptions into {@link ErrorHandler} lines but lets {@link Error}s through; a too-large image
     * runs out of heap, which must read as advice, not as a stack trace. By the time it is caught here the failed
     * run's tensors are unreachable, so printing is safe.
     */
    private static int runOutOfMemoryAware(CommandLine.ParseResult parsed) {
        try {
            checkSwitches(parsed);
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError e) {
            var err = parsed.commandSpec().commandLine().getErr();
            if (e.getMessage() != null && e.getMessage().contains("direct buffer memory")) {
                // native memory the JVM allocated itself (random bench weights, a fused LoRA's layer copies)
                err.println("vega: error: out of native memory for weights held outside the Java heap ("
                        + e.getMessage() + "): raise the limit with VEGA_JAVA_OPTS=-XX:MaxDirectMemorySize=<size>,"
                        + " or build fewer models or fuse fewer LoRAs at once");
                err.flush();
                return 1;
            }
            err.println("vega: error: out of memory (Java heap limit " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB): use a smaller image size or fewer samples, or give Java more memory with VEGA_HEAP "
                    + "(e.g. VEGA_HEAP=12g); the layer weights stay memory-mapped outside the heap, but"
                    + " -Dvega.weights.fp32=true in VEGA_JAVA_OPTS loads them all onto it");
            err.flush();
            return 1;
        }
    }

    /**
     * Reads the {@code vega.*} switches before any work, so a bad {@code VEGA_JAVA_OPTS} value ends the command at once
     * with the switch's own message (through {@link ErrorHandler}) instead of after minutes of model loading.
     */
    private static void checkSwitches(CommandLine.ParseResult parsed) {
        try {
            Switches.get();
        } catch (Switches.InvalidSwitchException e) {
            throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), e.getMessage(), e);
        }
    }

    public static void main(String[] args) {
        // log records (e.g. which weights variant was loaded) as one "INFO: ..." line, not JUL's default two lines
        // with a timestamp and class name; an explicit -Djava.util.logging.SimpleFormatter.format still wins
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(commandLine().execute(args));
    }

    /** Users get one clear line and a non-zero exit code, never a stack trace (set VEGA_DEBUG=1 for one). */
    static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            cl.getErr().println("vega: error: " + msg);
            if (System.getenv("VEGA_DEBUG") != null) {
                e.printStackTrace(cl.getErr());
            }
            return 1;
        }
    }

    /**
     * A mistyped option value or a missing argument: the reason and where the help is, not picocli's default of the
     * whole usage text (forty lines that push the one line that matters off the screen).
     */
    static final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            CommandLine cl = e.getCommandLine();
            cl.getErr().println("vega: error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cl.getErr());
            cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
            cl.getErr().flush();
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = VegaCli.class.getResourceAsStream("/vega4j-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"vega4j " + p.getProperty("version", "dev") + " (Java "
                    + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cores)"};
        }
    }
}
