package dev.vega4j.cli;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.ConformanceRunner;
import dev.vega4j.conformance.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vega conformance}: checks vega4j against the golden reference data of diffusers/transformers. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Compare vega4j with the diffusers reference outputs in the golden folder.")
final class ConformanceCommand implements Callable<Integer> {
    @Option(names = "--golden", description = "Golden data folder (default: $VEGA_GOLDEN or ../shared/golden).")
    Path golden;

    @Option(names = "--group", description = "Case group to run (repeatable; default: all).")
    List<String> groups = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "Print every case, not only failures.")
    boolean verbose;

    @Override
    public Integer call() {
        // a misspelt group would otherwise "pass" with 0 cases and exit 0
        List<String> known = new ArrayList<>(ConformanceRunner.KNOWN_GROUPS);
        ConformanceRunner.implementations().keySet().stream().filter(g -> !known.contains(g)).forEach(known::add);
        for (String g : groups) {
            if (!known.contains(g)) {
                throw new VegaException("unknown conformance group '" + g + "'; groups: " + String.join(", ", known));
            }
        }
        Path root = golden != null ? golden : Golden.root();
        boolean ok = new ConformanceRunner(root, System.out, verbose).runAll(groups);
        return ok ? 0 : 1;
    }
}
