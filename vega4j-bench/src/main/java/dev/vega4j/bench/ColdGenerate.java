package dev.vega4j.bench;

import dev.vega4j.VegaException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A one-image {@code vega generate}, end to end and cold: a fresh process started through the {@code ./vega}
 * launcher (as a user runs it) on a diffusers pipeline folder, timed from its start to its exit (JVM start, class
 * loading, model load, JIT warm-up, every step, VAE decode, PNG write). Runs alternate with and without the launcher's
 * startup cache ({@code VEGA_AOT=0}), so that both see the same machine load.
 */
public final class ColdGenerate {
    private ColdGenerate() {}

    /**
     * What to run: the pipeline folder, the image side (0 = the model's default) and the steps; {@code runs} processes
     * with the startup cache and as many without.
     */
    public record Options(Path modelDir, int size, int steps, int runs) {
        public Options {
            if (steps < 1 || runs < 1 || size < 0) {
                throw new VegaException("bench: --cold-steps and --runs must be >= 1, --cold-size >= 0");
            }
        }
    }

    /**
     * Wall seconds of each process, in the order run, and their CPU seconds (all threads, JIT compilers included:
     * what a shared machine's load moves less; NaN where the OS does not tell); {@code cacheFile}: whether the
     * launcher had a cache to use.
     */
    public record Result(String model, int size, int steps, double[] withCache, double[] withoutCache,
            double[] cpuWithCache, double[] cpuWithoutCache, boolean cacheFile) {

        /** Without CPU times. */
        public Result(String model, int size, int steps, double[] withCache, double[] withoutCache,
                boolean cacheFile) {
            this(model, size, steps, withCache, withoutCache, nan(withCache.length), nan(withoutCache.length),
                    cacheFile);
        }

        public double medianWith() {
            return median(withCache);
        }

        public double medianWithout() {
            return median(withoutCache);
        }
    }

    /** Runs the processes through the launcher in {@code repoRoot} (the {@code vega.repoRoot} it passes). */
    public static Result run(Options o, Path repoRoot, PrintStream log) {
        Path launcher = repoRoot.resolve("vega");
        if (!Files.isExecutable(launcher)) {
            throw new VegaException("bench: --cold-generate runs the ./vega launcher, not found at " + launcher);
        }
        double[] with = new double[o.runs()], without = new double[o.runs()];
        double[] cpuWith = new double[o.runs()], cpuWithout = new double[o.runs()];
        try {
            Path dir = Files.createTempDirectory("vega-cold");
            try {
                prepare(launcher, dir);
                for (int i = 0; i < o.runs(); i++) {
                    // without first: a cache created by the first launcher call would otherwise favour the later runs
                    double c0 = ProcessStats.childrenCpuSeconds();
                    without[i] = once(o, launcher, dir, false, log);
                    double c1 = ProcessStats.childrenCpuSeconds();
                    with[i] = once(o, launcher, dir, true, log);
                    cpuWithout[i] = c1 - c0;
                    cpuWith[i] = ProcessStats.childrenCpuSeconds() - c1;
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new VegaException("bench: cold generate: " + e.getMessage(), e);
        }
        return new Result(o.modelDir().toString(), o.size(), o.steps(), with, without, cpuWith, cpuWithout,
                hasCache(repoRoot));
    }

    /** Whether the launcher has made a startup cache ({@code vega4j-cli/target/vega-<key>.aot}) for some options. */
    static boolean hasCache(Path repoRoot) {
        Path target = repoRoot.resolve("vega4j-cli/target");
        if (!Files.isDirectory(target)) {
            return false;
        }
        try (var files = Files.newDirectoryStream(target, "vega-*.aot")) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            return false; // unreadable: reported as no cache
        }
    }

    static List<String> command(Options o, Path launcher, Path png) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "generate", "a photo of a cat", "-m",
                o.modelDir().toString(), "--steps", Integer.toString(o.steps()), "--seed", "1", "-o", png.toString()));
        if (o.size() > 0) {
            cmd.addAll(List.of("--width", Integer.toString(o.size()), "--height", Integer.toString(o.size())));
        }
        return cmd;
    }

    /**
     * An untimed {@code vega generate --help}: the launcher rebuilds a stale jar and (re)creates the startup cache
     * before it runs a command, which must not land inside a timed run.
     */
    private static void prepare(Path launcher, Path dir) throws IOException {
        Path out = dir.resolve("prepare.log");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "generate", "--help").redirectErrorStream(true)
                .redirectOutput(out.toFile());
        try {
            if (pb.start().waitFor() != 0) {
                throw new VegaException("bench: ./vega generate --help failed: " + tail(Files.readString(out)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VegaException("bench: interrupted while preparing vega generate", e);
        }
    }

    private static double once(Options o, Path launcher, Path dir, boolean cache, PrintStream log)
            throws IOException {
        Path out = dir.resolve("generate.log");
        ProcessBuilder pb = new ProcessBuilder(command(o, launcher, dir.resolve("image.png")))
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("VEGA_AOT", cache ? "1" : "0");
        long t0 = System.nanoTime();
        int rc;
        try {
            rc = pb.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VegaException("bench: interrupted while timing vega generate", e);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new VegaException("bench: vega generate failed (exit " + rc + "): " + tail(Files.readString(out)));
        }
        log.printf(Locale.ROOT, "cold vega generate, startup cache %s: %.2f s%n", cache ? "on " : "off", s);
        return s;
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }

    private static double[] nan(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
