package dev.vega4j.conformance;

import dev.vega4j.VegaException;
import dev.vega4j.tensor.Switches;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the golden reference data: {@code $VEGA_GOLDEN}, else {@code ../shared/golden} relative to the repo root. */
public final class Golden {
    public static final String ENV = "VEGA_GOLDEN";

    private Golden() {}

    public static Path root() {
        Path p = configuredRoot();
        if (!Files.isDirectory(p)) {
            throw new VegaException("golden data not found at " + p.toAbsolutePath().normalize()
                    + ": set the environment variable " + ENV + " to the golden folder (default ../shared/golden"
                    + " relative to the repository root)");
        }
        return p;
    }

    static Path configuredRoot() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Switches switches = Switches.get();
        if (switches.golden().isPresent()) {
            return switches.golden().get();
        }
        Path base = switches.repoRoot().orElse(Path.of("").toAbsolutePath());
        return base.resolve("../shared/golden").normalize();
    }

    /** The case group folder {@code cases/<group>}. */
    public static Path group(Path root, String group) {
        return root.resolve("cases").resolve(group);
    }
}
