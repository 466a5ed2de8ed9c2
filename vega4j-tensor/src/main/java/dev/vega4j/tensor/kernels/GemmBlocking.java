package dev.vega4j.tensor.kernels;

import static dev.vega4j.tensor.kernels.GemmKernels.MR;

import dev.vega4j.tensor.Switches;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The cache blocking of {@link Gemm#residentB} on this machine: how many k a block of packed A and B covers (KC) and
 * how many rows of A share one L2-resident block (MC). The best pair depends on the L1/L2 sizes and on how well the
 * CPU prefetches a B micro-panel that is not yet in L1 (on a Zen 4, KC 512 ran the Vega shapes 20-30% faster than
 * the classic KC 128; older measurements on a Cascade Lake preferred 128), so like the register tile it is measured
 * once per machine, with the chosen tile, and cached next to it. {@code -Dvega.gemmBlocking=<kc>x<mc>} pins one. The
 * K block is also that of the convolution drivers ({@link Gemm#kc()}).
 *
 * <p>The blocking never changes a result: it only decides where C is stored and reloaded between K blocks, while
 * every element still gets one fused multiply-add per k in ascending k order.
 */
public final class GemmBlocking {
    private GemmBlocking() {}

    /** K block (kc) and rows of A per block (mc, a multiple of the tile's rows). */
    public record Blocking(int kc, int mc) {
        public Blocking {
            if (kc < 1 || mc < MR || mc % MR != 0) {
                throw new IllegalArgumentException("GEMM blocking " + kc + "x" + mc + ": kc must be positive and mc a"
                        + " positive multiple of the tile's " + MR + " rows");
            }
        }

        /** {@code <kc>x<mc>}, what {@code -Dvega.gemmBlocking} takes. */
        public String name() {
            return kc + "x" + mc;
        }

        /** K block {@code kc} and about {@code rows} rows of A, rounded up to whole register tiles. */
        public static Blocking ofRows(int kc, int rows) {
            return new Blocking(kc, (rows + MR - 1) / MR * MR);
        }

        /** Parses {@link #name()}. */
        public static Blocking parse(String s) {
            int x = s.indexOf('x');
            if (x < 0) {
                throw new IllegalArgumentException("GEMM blocking " + s + ": expected <kc>x<mc>");
            }
            return new Blocking(Integer.parseInt(s.substring(0, x)), Integer.parseInt(s.substring(x + 1)));
        }
    }

    /** Every candidate; the first is the blocking used before it was measured (a K block of 128, ~96 rows). */
    public static final List<Blocking> CANDIDATES = candidates();

    private static List<Blocking> candidates() {
        List<Blocking> list = new ArrayList<>();
        for (int kc : new int[] {128, 256, 384, 512}) {
            for (int rows : new int[] {96, 144, 192}) {
                Blocking b = Blocking.ofRows(kc, rows);
                if (!list.contains(b)) {
                    list.add(b);
                }
            }
        }
        return List.copyOf(list);
    }

    /** One candidate's speed: single-thread GFLOPS of {@link Gemm#residentB} on the probe shapes. */
    public record Measurement(Blocking blocking, double gflops) {}

    /** The blocking in use, with the ranking when it was measured. */
    public record Choice(Blocking blocking, MicroKernels.Source source, List<Measurement> ranking, String machine) {
        /** The second best measurement, if the candidates were measured. */
        public Optional<Measurement> runnerUp() {
            return ranking.size() > 1 ? Optional.of(ranking.get(1)) : Optional.empty();
        }
    }

    private static final class Holder {
        static final Choice CHOICE = choose(System.err);
    }

    /** The blocking of this process: pinned, cached or measured now (once, at the first matrix product). */
    public static Choice chosen() {
        return Holder.CHOICE;
    }

    /** The cache entry: the machine key plus the tile the blocking was measured with. */
    static String cacheKey() {
        return MicroKernels.chosen().machine() + ".blocking." + GemmKernels.K.shape();
    }

    static Choice choose(PrintStream progress) {
        Switches sw = Switches.get();
        String key = cacheKey();
        if (sw.gemmBlocking().isPresent()) {
            String v = sw.gemmBlocking().get();
            int x = v.indexOf('x'); // the switch checked the form; mc is rounded up to the tile
            Blocking pinned = Blocking.ofRows(Integer.parseInt(v.substring(0, x)), Integer.parseInt(v.substring(x + 1)));
            return new Choice(pinned, MicroKernels.Source.PINNED, List.of(), key);
        }
        Optional<List<Measurement>> cached = MicroKernels.cacheFile(sw).flatMap(f -> readCache(f, key));
        if (cached.isPresent()) {
            return new Choice(cached.get().get(0).blocking(), MicroKernels.Source.CACHED, cached.get(), key);
        }
        return tune(progress);
    }

    /** Measures every candidate now and keeps the ranking in the cache; the process keeps the blocking it has. */
    public static Choice tune(PrintStream progress) {
        String key = cacheKey();
        if (progress != null) {
            progress.println("vega: measuring which GEMM blocking is fastest on this CPU (once, a few seconds; "
                    + CANDIDATES.size() + " candidates)");
        }
        double[] best = new double[CANDIDATES.size()];
        Probe probe = new Probe();
        probe.warmUp();
        for (int sweep = 0; sweep < 2; sweep++) { // best of two sweeps: a burst of other work spoils one, not both
            for (int i = 0; i < best.length; i++) {
                best[i] = Math.max(best[i], probe.gflops(CANDIDATES.get(i)));
            }
        }
        List<Measurement> ranking = rank(best);
        if (progress != null) {
            progress.printf(Locale.ROOT, "vega: using GEMM blocking %s (%.1f GFLOPS on one core), runner-up %s (%.1f)%n",
                    ranking.get(0).blocking().name(), ranking.get(0).gflops(), ranking.get(1).blocking().name(),
                    ranking.get(1).gflops());
        }
        MicroKernels.cacheFile(Switches.get()).ifPresent(f -> writeCache(f, key, ranking));
        return new Choice(ranking.get(0).blocking(), MicroKernels.Source.MEASURED, ranking, key);
    }

    /** How much faster than the default a blocking must measure to be chosen instead (the blockings differ by 10-30%). */
    static final double TIE = 0.03;

    /** Best first; a candidate within {@link #TIE} of the default does not displace it. */
    static List<Measurement> rank(double[] gflops) {
        return MicroKernels.rankOrder(gflops, TIE).stream()
                .map(i -> new Measurement(CANDIDATES.get(i), gflops[i])).toList();
    }

    /**
     * Two products in the shape of the UNet's linears, large enough that B does not fit in L2 (as in the real
     * layers): a long K (1536) with 640 columns, and a short K (640) with 2560 columns (a row stride of 10 KiB, where
     * C's rows meet in the same L1 sets). Their row count (576) is a whole number of every candidate's blocks.
     */
    private static final class Probe {
        private final int m = 576;
        private final int[][] shapes = {{1536, 640}, {640, 2560}};
        private final float[] a = new float[m * 1536];
        private final Gemm.PackedB[] b = new Gemm.PackedB[shapes.length];
        private final float[] c = new float[m * 2560];
        private final Parallel one = new Parallel(1);

        Probe() {
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) * 0.01f;
            }
            for (int s = 0; s < shapes.length; s++) {
                int k = shapes[s][0], n = shapes[s][1];
                float[] w = new float[k * n];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (i % 5) * 0.01f;
                }
                b[s] = Gemm.packTransposed(w, 0, k, n, one);
            }
        }

        /** Until C2 has compiled the driver (interpreted vector code is 100x slower and would rank nothing). */
        void warmUp() {
            long start = System.nanoTime();
            for (int i = 0; i < 8 && System.nanoTime() - start < 2_000_000_000L; i++) {
                for (Blocking bl : CANDIDATES) {
                    Gemm.residentB(a, 0, 64, 48, Gemm.packTransposed(a, 0, 64, 128, one), null, c, 0, 128, bl, one);
                }
                run(CANDIDATES.get(0));
            }
        }

        /** The best of three timed runs of both shapes, in GFLOPS. */
        double gflops(Blocking bl) {
            double flops = 0;
            for (int[] s : shapes) {
                flops += 2.0 * m * s[0] * s[1];
            }
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                run(bl);
                best = Math.min(best, System.nanoTime() - t0);
            }
            if (Float.isNaN(c[0])) {
                throw new IllegalStateException("unreachable: keeps the products alive");
            }
            return flops / best;
        }

        private void run(Blocking bl) {
            for (int s = 0; s < shapes.length; s++) {
                Gemm.residentB(a, 0, shapes[s][0], m, b[s], null, c, 0, shapes[s][1], bl, one);
            }
        }
    }

    /** {@code key = kcxmc gflops ...}, best first; empty when absent, unreadable or not valid for this tile. */
    static Optional<List<Measurement>> readCache(java.nio.file.Path file, String key) {
        return MicroKernels.readRanking(file, key, (name, g) -> new Measurement(Blocking.parse(name), g));
    }

    static void writeCache(java.nio.file.Path file, String key, List<Measurement> ranking) {
        MicroKernels.writeRanking(file, key, ranking.stream().map(m -> m.blocking().name()).toList(),
                ranking.stream().map(Measurement::gflops).toList());
    }
}
