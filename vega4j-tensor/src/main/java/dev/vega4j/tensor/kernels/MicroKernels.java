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
import java.util.function.BiFunction;

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
        return rankOrder(gflops, TIE).stream().map(i -> new Measurement(CANDIDATES.get(i), gflops[i])).toList();
    }

    /**
     * Candidate indexes by speed, best first, except that candidate 0 (the default) stays first unless the best one
     * beats it by more than {@code tie} (shared by the tile and the {@link GemmBlocking} rankings).
     */
    static List<Integer> rankOrder(double[] gflops, double tie) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < gflops.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> gflops[i]).reversed());
        if (gflops[0] * (1 + tie) >= gflops[order.get(0)]) {
            order.remove(Integer.valueOf(0));
            order.add(0, 0);
        }
        return List.copyOf(order);
    }

    /**
     * How much faster than the default a candidate must measure to be chosen instead. On a shared virtual machine
     * the same tile measured 95..109 GFLOPS call to call, so closer results say nothing; a tile that truly fits the
     * CPU better (6x4 over 12x2 with 256-bit vectors: +40%) clears it easily.
     */
    static final double TIE = 0.08;

    /**
     * Single-thread GFLOPS of {@code k} running a whole product the way {@link Gemm#residentB} does (A packed per
     * block from row-major rows, B panels streamed from beyond L2, C rows 768 floats apart, the first K block
     * starting from the bias row), at a short (128) and a long (512) K block, the better of the two: which one wins
     * depends on the CPU, and {@link GemmBlocking} settles it next. A loop over pre-packed panels ranked the tiles
     * differently from the real products (on a Zen 4: 4x3 and 6x4 first there, 15-25% behind 12x2 and 8x3 in the
     * GEMMs), so the probe is the driver's loop nest itself. Warmed up past C2's compile thresholds (interpreted
     * vector code is 100x slower), then the best of a few timed runs.
     */
    static double measure(MicroKernel k) {
        ProbeProduct p = new ProbeProduct(k);
        p.run(128);
        long start = System.nanoTime();
        for (int i = 0; i < 6 && System.nanoTime() - start < 1_500_000_000L; i++) {
            p.run(i % 2 == 0 ? 128 : ProbeProduct.KC_MAX);
        }
        return Math.max(p.gflops(128), p.gflops(ProbeProduct.KC_MAX));
    }

    /** A 192 x 1536 x 768 product with the given tile, in {@link Gemm#residentB}'s loop order. */
    private static final class ProbeProduct {
        private static final int M = 192, K = 1536, N = 768; // N: whole panels of every tile
        private final MicroKernel k;
        private final int mr, nr, panels;
        private static final int KC_MAX = 512;
        private final float[] a = new float[M * K], b, c = new float[M * N], init, ab;
        private final int mcMax;

        ProbeProduct(MicroKernel k) {
            this.k = k;
            mr = k.mr();
            nr = k.nr();
            panels = (N + nr - 1) / nr;
            mcMax = (96 + mr - 1) / mr * mr;
            ab = new float[mcMax * KC_MAX];
            b = new float[panels * K * nr];
            init = new float[panels * nr];
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) * 0.01f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (i % 5) * 0.01f;
            }
        }

        double gflops(int kc) {
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                run(kc);
                best = Math.min(best, System.nanoTime() - t0);
            }
            if (Float.isNaN(c[0])) {
                throw new IllegalStateException("unreachable: keeps the product alive");
            }
            return 2.0 * M * K * N / best;
        }

        void run(int kcMax) {
            for (int m0 = 0; m0 < M; m0 += mcMax) {
                int tiles = (Math.min(mcMax, M - m0) + mr - 1) / mr;
                for (int pc = 0; pc < K; pc += kcMax) {
                    int kc = Math.min(kcMax, K - pc);
                    for (int t = 0; t < tiles; t++) {
                        for (int i = 0; i < mr; i++) {
                            int src = Math.min(M - 1, m0 + t * mr + i) * K + pc, dst = t * kc * mr + i;
                            for (int kk = 0; kk < kc; kk++) {
                                ab[dst + kk * mr] = a[src + kk];
                            }
                        }
                    }
                    for (int p = 0; p < panels; p++) {
                        for (int t = 0; t < tiles && (m0 + t * mr + mr) <= M; t++) {
                            int co = (m0 + t * mr) * N + p * nr, bo = p * K * nr + pc * nr;
                            if (pc == 0) {
                                k.kernelPackedInit(ab, t * kc * mr, b, bo, nr, kc, init, p * nr, c, co, N);
                            } else {
                                k.kernelPacked(ab, t * kc * mr, b, bo, nr, kc, c, co, N);
                            }
                        }
                    }
                }
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

    static Optional<Path> cacheFile(Switches sw) {
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
        return readRanking(file, machine, (name, g) -> new Measurement(byShape(name), g));
    }

    /** Adds this machine's ranking to the cache file. */
    static void writeCache(Path file, String machine, List<Measurement> ranking) {
        writeRanking(file, machine, ranking.stream().map(m -> m.kernel().shape()).toList(),
                ranking.stream().map(Measurement::gflops).toList());
    }

    /**
     * A cached ranking {@code key = name gflops name gflops ...}, best first, each pair made into an entry (which
     * may refuse a name it does not know with an IllegalArgumentException); empty when absent, empty or damaged: the
     * candidates are then measured again.
     */
    static <T> Optional<List<T>> readRanking(Path file, String key, BiFunction<String, Double, T> entry) {
        try {
            return readEntry(file, key).map(v -> {
                String[] parts = v.trim().split("\\s+");
                List<T> ranking = new ArrayList<>();
                for (int i = 0; i + 1 < parts.length; i += 2) {
                    ranking.add(entry.apply(parts[i], Double.parseDouble(parts[i + 1])));
                }
                return List.copyOf(ranking);
            }).filter(r -> !r.isEmpty());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Stores a ranking as {@link #readRanking} reads it. */
    static void writeRanking(Path file, String key, List<String> names, List<Double> gflops) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            v.append(names.get(i)).append(' ').append(String.format(Locale.ROOT, "%.2f ", gflops.get(i)));
        }
        writeEntry(file, key, v.toString().trim());
    }

    /** One entry of the measurements cache; empty when the file or the entry is absent or unreadable. */
    static Optional<String> readEntry(Path file, String key) {
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.ofNullable(p.getProperty(key));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Sets one entry of the measurements cache (the file written whole to a temporary file, then moved over it). */
    static void writeEntry(Path file, String key, String value) {
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
            p.setProperty(key, value);
            Path tmp = Files.createTempFile(file.getParent(), CACHE_FILE, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "vega4j: GEMM register tiles and blockings measured per machine (best first)");
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
