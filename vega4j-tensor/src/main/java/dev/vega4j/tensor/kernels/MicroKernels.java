package dev.vega4j.tensor.kernels;

import dev.vega4j.tensor.Switches;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Which {@link MicroKernel} this machine runs. The fastest register tile differs between CPUs (register count, FMA
 * pipes, load ports), and no table of CPU models stays right, so the candidates are measured once per CPU model, JDK
 * and vector width — each a few hundred milliseconds of the GEMM inner loop on packed panels as the drivers feed it —
 * and the winner is kept in {@code <cache>/kernels.properties}. {@code -Dvega.kernels=<shape>} pins one;
 * {@code vega bench ops --tune} measures again. The choice never changes a result (see {@link MicroKernel}).
 */
public final class MicroKernels {
    private MicroKernels() {}

    /** Every candidate; the first is the shape used before tuning existed. */
    public static final List<MicroKernel> CANDIDATES = List.of(new MicroKernel12x2(), new MicroKernel14x2(),
            new MicroKernel8x3(), new MicroKernel6x4(), new MicroKernel6x2(), new MicroKernel4x3());

    private static final String CACHE_FILE = "kernels.properties";

    /** One candidate's speed: single-thread GFLOPS of its inner loop. */
    public record Measurement(MicroKernel kernel, double gflops) {}

    /** How the kernel in use was chosen. */
    public enum Source { PINNED, CACHED, MEASURED }

    /**
     * The kernel in use, with the runner-up when known.
     *
     * @param machine the cache key: CPU model, JDK feature version, vector bits
     */
    public record Choice(MicroKernel kernel, Source source, List<Measurement> ranking, String machine) {
        /** The second best measurement, if the candidates were measured. */
        public Optional<Measurement> runnerUp() {
            return ranking.size() > 1 ? Optional.of(ranking.get(1)) : Optional.empty();
        }
    }

    private static final class Holder {
        static final Choice CHOICE = choose(System.err);
    }

    /** The kernel of this process: pinned, cached or measured now (once, at the first GEMM). */
    public static Choice chosen() {
        return Holder.CHOICE;
    }

    /** The candidate of the given shape ({@code 12x2}). */
    public static MicroKernel byShape(String shape) {
        return CANDIDATES.stream().filter(k -> k.shape().equals(shape)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no microkernel of shape " + shape));
    }

    static Choice choose(PrintStream progress) {
        Switches sw = Switches.get();
        String machine = machineKey();
        if (sw.kernels().isPresent()) {
            return new Choice(byShape(sw.kernels().get()), Source.PINNED, List.of(), machine);
        }
        Optional<Path> cache = cacheFile(sw);
        Optional<List<Measurement>> cached = cache.flatMap(f -> readCache(f, machine));
        if (cached.isPresent()) {
            return new Choice(cached.get().get(0).kernel(), Source.CACHED, cached.get(), machine);
        }
        return tune(progress, machine);
    }

    /**
     * Measures every candidate now, keeps the ranking in the cache (when writable) and returns it; the process keeps
     * running the kernel it chose at start-up.
     */
    public static Choice tune(PrintStream progress) {
        return tune(progress, machineKey());
    }

    private static Choice tune(PrintStream progress, String machine) {
        if (progress != null) { // whole lines: other threads may be printing progress of their own
            progress.println("vega: measuring which GEMM register tile is fastest on this CPU (once, about ten"
                    + " seconds; " + CANDIDATES.size() + " candidates)");
        }
        // two sweeps, best of both: a burst of other work on the machine then spoils one sweep, not the ranking
        double[] best = new double[CANDIDATES.size()];
        for (int sweep = 0; sweep < 2; sweep++) {
            for (int i = 0; i < best.length; i++) {
                best[i] = Math.max(best[i], measure(CANDIDATES.get(i)));
            }
        }
        List<Measurement> ranking = rank(best);
        if (progress != null) {
            progress.printf(Locale.ROOT, "vega: using %s (%.1f GFLOPS on one core), runner-up %s (%.1f)%n",
                    ranking.get(0).kernel().shape(), ranking.get(0).gflops(), ranking.get(1).kernel().shape(),
                    ranking.get(1).gflops());
        }
        cacheFile(Switches.get()).ifPresent(f -> writeCache(f, machine, ranking));
        return new Choice(ranking.get(0).kernel(), Source.MEASURED, ranking, machine);
    }

    /**
     * The candidates by speed, best first; a candidate within {@link #TIE} of the first candidate (the long-standing
     * default) does not displace it, so measurement noise on a machine where they are equal changes nothing.
     */
    static List<Measurement> rank(double[] gflops) {
        List<Measurement> ranking = new ArrayList<>();
        for (int i = 0; i < gflops.length; i++) {
            ranking.add(new Measurement(CANDIDATES.get(i), gflops[i]));
        }
        ranking.sort(Comparator.comparingDouble(Measurement::gflops).reversed());
        Measurement dflt = ranking.stream().filter(m -> m.kernel() == CANDIDATES.get(0)).findFirst().orElseThrow();
        if (dflt.gflops() * (1 + TIE) >= ranking.get(0).gflops()) {
            ranking.remove(dflt);
            ranking.add(0, dflt);
        }
        return List.copyOf(ranking);
    }

    /** How much faster than the default a candidate must measure to be chosen instead. */
    static final double TIE = 0.02;

    /**
     * Single-thread GFLOPS of {@code k} in the shape of {@link Gemm#residentB}'s inner loops: a K block of 128, an
     * L2-resident block of about 96 packed A rows, B micro-panels reused from L1 across the A tiles. Warmed up past
     * C2's compile thresholds (thousands of calls; until then vector code runs interpreted, 100x slower), then timed
     * until the best round stops improving.
     */
    static double measure(MicroKernel k) {
        int mr = k.mr(), nr = k.nr(), kc = 128;
        int tiles = (96 + mr - 1) / mr, panels = Math.max(1, 256 / nr);
        float[] a = new float[tiles * kc * mr];
        float[] b = new float[panels * kc * nr];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) * 0.01f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 5) * 0.01f;
        }
        int ldc = panels * nr;
        float[] c = new float[tiles * mr * ldc];
        double flopsPerPass = 2.0 * tiles * mr * panels * nr * kc;
        long start = System.nanoTime();
        for (int calls = 0; calls < 20_000 && System.nanoTime() - start < 2_000_000_000L; calls += tiles * panels) {
            pass(k, a, b, c, tiles, panels, kc, ldc);
        }
        int passes = (int) Math.max(1, 2e7 / flopsPerPass);
        double best = 0;
        long timed = System.nanoTime();
        for (int stale = 0; stale < 8 && System.nanoTime() - timed < 1_500_000_000L; ) {
            long t0 = System.nanoTime();
            for (int i = 0; i < passes; i++) {
                pass(k, a, b, c, tiles, panels, kc, ldc);
            }
            double g = flopsPerPass * passes / (System.nanoTime() - t0);
            if (g > best * 1.01) {
                best = g;
                stale = 0;
            } else {
                stale++;
            }
        }
        if (Float.isNaN(c[0])) {
            throw new IllegalStateException("unreachable: keeps the loop alive");
        }
        return best;
    }

    private static void pass(MicroKernel k, float[] a, float[] b, float[] c, int tiles, int panels, int kc, int ldc) {
        int mr = k.mr(), nr = k.nr();
        for (int p = 0; p < panels; p++) {
            for (int t = 0; t < tiles; t++) {
                k.kernelPacked(a, t * kc * mr, b, p * kc * nr, nr, kc, c, t * mr * ldc + p * nr, ldc);
            }
        }
    }

    /** CPU model (from /proc/cpuinfo where there is one), JDK feature version and vector width. */
    static String machineKey() {
        String cpu = System.getProperty("os.arch");
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info)) {
                String vendor = "", family = "", model = "", name = "", stepping = "";
                for (String line : Files.readAllLines(info)) {
                    int colon = line.indexOf(':');
                    if (line.isBlank()) {
                        break; // the first processor describes them all
                    }
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
                    switch (key) {
                        case "vendor_id" -> vendor = value;
                        case "cpu family" -> family = value;
                        case "model" -> model = value;
                        case "model name" -> name = value;
                        case "stepping" -> stepping = value;
                        default -> { }
                    }
                }
                cpu = vendor + " " + family + "/" + model + "/" + stepping + " " + name;
            }
        } catch (IOException | RuntimeException e) {
            // keep the architecture alone
        }
        String raw = cpu + " jdk" + Runtime.version().feature() + " " + Lanes.L * 32 + "bit";
        return raw.trim().replaceAll("[^A-Za-z0-9._/-]+", "_");
    }

    private static Optional<Path> cacheFile(Switches sw) {
        if (sw.cacheDir().isPresent()) {
            return Optional.of(sw.cacheDir().get().resolve(CACHE_FILE));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Optional.of(Path.of(xdg, "vega4j", CACHE_FILE));
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? Optional.empty()
                : Optional.of(Path.of(home, ".cache", "vega4j", CACHE_FILE));
    }

    /** {@code machine = shape gflops shape gflops ...}, best first; empty when absent or unreadable. */
    static Optional<List<Measurement>> readCache(Path file, String machine) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            String v = p.getProperty(machine);
            if (v == null) {
                return Optional.empty();
            }
            String[] parts = v.trim().split("\\s+");
            List<Measurement> ranking = new ArrayList<>();
            for (int i = 0; i + 1 < parts.length; i += 2) {
                ranking.add(new Measurement(byShape(parts[i]), Double.parseDouble(parts[i + 1])));
            }
            return ranking.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(ranking));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // a damaged or older cache is measured again
        }
    }

    /** Adds this machine's ranking to the cache file (written whole to a temporary file, then moved over it). */
    static void writeCache(Path file, String machine, List<Measurement> ranking) {
        try {
            Files.createDirectories(file.getParent());
            Properties p = new Properties();
            if (Files.isReadable(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                } catch (IOException | IllegalArgumentException e) {
                    p.clear();
                }
            }
            StringBuilder v = new StringBuilder();
            for (Measurement m : ranking) {
                v.append(m.kernel().shape()).append(' ').append(String.format(Locale.ROOT, "%.2f ", m.gflops()));
            }
            p.setProperty(machine, v.toString().trim());
            Path tmp = Files.createTempFile(file.getParent(), CACHE_FILE, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "vega4j: GEMM register tiles measured per machine (shape GFLOPS, best first)");
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            // no cache: measured again next time, nothing else changes
        }
    }
}
