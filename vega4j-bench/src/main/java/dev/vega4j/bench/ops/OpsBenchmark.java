package dev.vega4j.bench.ops;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import dev.vega4j.tensor.VectorOps;
import dev.vega4j.tensor.kernels.BandwidthProbe;
import dev.vega4j.tensor.kernels.Lanes;
import dev.vega4j.tensor.kernels.Parallel;
import dev.vega4j.tensor.kernels.PeakProbe;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vega bench ops}: the machine's FMA peak and memory bandwidth (STREAM triad) measured in the same run, then
 * every hot op of a Segmind Vega step at 1024², batch 2 (classifier-free guidance), with time, GFLOPS and share of
 * that peak (GB/s and share of that bandwidth for memory-bound ops).
 * The shapes are the ones that dominate the UNet's 5.65 TFLOP (shared/notes/cpu-performance.md).
 */
public final class OpsBenchmark {
    private OpsBenchmark() {}

    /**
     * @param quick     small shapes, one timed run: a smoke test, not a measurement
     * @param threads   team size for the ops and the peak probe
     * @param reps      timed runs per case (the best is reported; untimed warm-up runs precede them: up to 100, at
     *                  most 1 s of them)
     * @param filter    only cases whose group or shape contains this text, or any of several comma-separated ones
     *                  (e.g. {@code layerNorm,geglu}; null = all)
     * @param packCache cache packed weight panels across calls (see PackCache)
     */
    public record Options(boolean quick, int threads, int reps, String filter, boolean packCache) {
        public Options {
            if (threads < 1 || reps < 1) {
                throw new IllegalArgumentException("threads and reps must be at least 1");
            }
        }
    }

    /**
     * Timing of one case: the best and the median wall time of the timed runs, and the least CPU time one run took
     * (summed over the team's threads; NaN where the JVM cannot tell), in seconds.
     */
    public record Result(BenchCase benchCase, double bestSeconds, double medianSeconds, double cpuSeconds) {
        public double gflops() {
            return benchCase.flops() / bestSeconds / 1e9;
        }

        /**
         * Flops per second of CPU time actually given to the team: on a machine shared with other work this
         * stays meaningful when wall time does not (time spent descheduled is not counted).
         */
        public double gflopsPerCpuSecond() {
            return benchCase.flops() / cpuSeconds / 1e9;
        }

        /** {@link #gflopsPerCpuSecond()} as a share of one core's FMA peak measured the same way, in percent. */
        public double percentOfCorePeak(double corePeakGflops) {
            return benchCase.computeBound() ? 100 * gflopsPerCpuSecond() / corePeakGflops : Double.NaN;
        }

        public double gbPerSecond() {
            return benchCase.bytes() / bestSeconds / 1e9;
        }

        /** {@link #gbPerSecond()} as a share of the probed bandwidth in percent; NaN for compute-bound cases. */
        public double percentOfBandwidth(double bandwidthGbs) {
            return benchCase.computeBound() ? Double.NaN : 100 * gbPerSecond() / bandwidthGbs;
        }

        /** Share of the peak in percent; NaN for memory-bound cases. */
        public double percentOfPeak(double peakGflops) {
            return benchCase.computeBound() ? 100 * gflops() / peakGflops : Double.NaN;
        }
    }

    /**
     * @param peakGflops     FMA throughput of all threads together, wall clock
     * @param corePeakGflops FMA throughput per second of the team's CPU time (one core's peak, robust to sharing)
     * @param bandwidthGbs   STREAM triad bandwidth of all threads together, GB/s ({@link BandwidthProbe})
     */
    public record Report(int threads, int vectorBits, double peakGflops, double corePeakGflops, double bandwidthGbs,
            boolean packCache, List<Result> results) {}

    /** The benchmark cases, full (Vega 1024², batch 2) or quick. */
    public static List<BenchCase> cases(boolean quick) {
        List<BenchCase> cs = new ArrayList<>();
        int[][] gemms = quick ? new int[][] {{512, 640, 640}, {256, 64, 512}}
                : new int[][] {{4096, 5760, 640}, {16384, 2880, 320}, {1024, 11520, 1280}, {4096, 640, 640},
                    {4096, 640, 5120}, {4096, 64, 4096}};
        for (int[] g : gemms) {
            cs.add(linear(g[0], g[1], g[2]));
        }
        // UNet (batch 2), then the SDXL VAE decoder at 1024² (batch 1)
        int[][] convs = quick ? new int[][] {{2, 64, 32, 64}} : new int[][] {{2, 320, 128, 320}, {2, 640, 64, 640},
            {2, 1280, 32, 1280}, {1, 512, 128, 512}, {1, 512, 256, 512}, {1, 256, 512, 256}, {1, 128, 1024, 128}};
        for (int[] c : convs) {
            cs.add(conv3x3(c[0], c[1], c[2], c[3], false));
            cs.add(conv3x3(c[0], c[1], c[2], c[3], true));
        }
        int[][] atts = quick ? new int[][] {{2, 2, 256, 64}} : new int[][] {{2, 10, 4096, 64}, {2, 20, 1024, 64}};
        for (int[] a : atts) {
            cs.add(attention(a[0], a[1], a[2], a[3]));
        }
        // fp16 weights converted while packing, next to the same shapes with float32 weights (incl. a small-M GEMM,
        // a text encoder's 2 x 77 tokens, where packing the weight is the largest share of the call)
        int[][] halfGemms = quick ? new int[][] {{512, 640, 640}} : new int[][] {{154, 1280, 5120},
            {4096, 640, 5120}, {1024, 11520, 1280}};
        for (int[] g : halfGemms) {
            if (g[0] == 154) {
                cs.add(linear(g[0], g[1], g[2]));
            }
            cs.add(linearHalf(g[0], g[1], g[2]));
        }
        int[] hc = quick ? new int[] {2, 64, 32, 64} : new int[] {2, 1280, 32, 1280};
        cs.add(conv3x3Half(hc[0], hc[1], hc[2], hc[3]));
        cs.add(groupNorm(quick ? new int[] {1, 64, 32, 32} : new int[] {2, 640, 64, 64}, 32, false));
        cs.add(groupNorm(quick ? new int[] {1, 64, 32, 32} : new int[] {2, 640, 64, 64}, 32, true));
        cs.add(layerNorm(quick ? new int[] {1, 256, 640} : new int[] {2, 4096, 640}));
        cs.add(geglu(quick ? new int[] {1, 256, 1280} : new int[] {2, 4096, 10240}));
        // attention-score-sized rows; a resnet block's residual add at 128² (3 x 42 MB: well past the L3, which
        // the 64² tensors are not)
        cs.add(softmax(quick ? new int[] {256, 1000} : new int[] {2 * 10 * 256, 4096}));
        int[] res = quick ? new int[] {1, 64, 32, 32} : new int[] {2, 320, 128, 128};
        cs.add(add(res, false));
        cs.add(add(res, true));
        return cs;
    }

    static BenchCase linear(int m, int k, int n) {
        return new BenchCase("linear", "M=" + m + " K=" + k + " N=" + n, BenchCase.linearFlops(m, k, n), 0, ops -> {
            Tensor x = random(1, m, k), w = random(2, n, k), b = random(3, n);
            return () -> ops.linear(x, w, b);
        });
    }

    /**
     * A 3x3 stride-1 convolution; GFLOPS count direct-convolution flops, so the Winograd row (the default path) and
     * the implicit-GEMM row ({@code igemm}: {@code -Dvega.winograd=false}) compare by time.
     */
    static BenchCase conv3x3(int n, int c, int hw, int o, boolean implicitGemm) {
        return new BenchCase(implicitGemm ? "conv3x3 igemm" : "conv3x3", "N=" + n + " C=" + c + " H=W=" + hw + " O=" + o,
                BenchCase.convFlops(n, c, hw, hw, o, 3, 3), 0, ops -> {
                    TensorOps run = implicitGemm && ops instanceof VectorOps v ? v.withWinograd(null) : ops;
                    Tensor x = random(4, n, c, hw, hw), w = random(5, o, c, 3, 3), b = random(6, o);
                    return () -> run.conv2d(x, w, b, 1, 1);
                });
    }

    static BenchCase linearHalf(int m, int k, int n) {
        return new BenchCase("linear-f16w", "M=" + m + " K=" + k + " N=" + n, BenchCase.linearFlops(m, k, n), 0,
                ops -> {
                    Tensor x = random(1, m, k), w = half(random(2, n, k)), b = random(3, n);
                    return () -> ops.linear(x, w, b);
                });
    }

    static BenchCase conv3x3Half(int n, int c, int hw, int o) {
        return new BenchCase("conv3x3-f16w", "N=" + n + " C=" + c + " H=W=" + hw + " O=" + o,
                BenchCase.convFlops(n, c, hw, hw, o, 3, 3), 0, ops -> {
                    Tensor x = random(4, n, c, hw, hw), w = half(random(5, o, c, 3, 3)), b = random(6, o);
                    return () -> ops.conv2d(x, w, b, 1, 1);
                });
    }

    private static Tensor half(Tensor t) {
        return dev.vega4j.tensor.Half.round(t.data(), false, t.shape());
    }

    static BenchCase attention(int b, int heads, int t, int d) {
        return new BenchCase("attention", "B=" + b + " heads=" + heads + " T=" + t + " d=" + d,
                BenchCase.attentionFlops(b, heads, t, t, d), 0, ops -> {
                    Tensor q = random(7, b, t, heads * d), k = random(8, b, t, heads * d),
                            v = random(9, b, t, heads * d);
                    float scale = (float) (1 / Math.sqrt(d));
                    return () -> ops.attention(q, k, v, heads, scale, false);
                });
    }

    static BenchCase groupNorm(int[] shape, int groups, boolean silu) {
        long numel = Tensor.numel(shape);
        return new BenchCase(silu ? "groupNorm+silu" : "groupNorm", Arrays.toString(shape) + " groups=" + groups, 0,
                8.0 * numel, ops -> {
                    Tensor x = random(10, shape), g = random(11, shape[1]), be = random(12, shape[1]);
                    return () -> ops.groupNorm(x, groups, g, be, 1e-5f, silu);
                });
    }

    static BenchCase layerNorm(int[] shape) {
        long numel = Tensor.numel(shape);
        return new BenchCase("layerNorm", Arrays.toString(shape), 0, 8.0 * numel, ops -> {
            int c = shape[shape.length - 1];
            Tensor x = random(13, shape), g = random(14, c), be = random(15, c);
            return () -> ops.layerNorm(x, g, be, 1e-5f);
        });
    }

    static BenchCase geglu(int[] shape) {
        long numel = Tensor.numel(shape);
        return new BenchCase("geglu", Arrays.toString(shape), 0, 4.0 * numel * 3 / 2, ops -> {
            Tensor x = random(16, shape);
            return () -> ops.geglu(x);
        });
    }

    static BenchCase softmax(int[] shape) {
        long numel = Tensor.numel(shape);
        return new BenchCase("softmax", Arrays.toString(shape), 0, 8.0 * numel, ops -> {
            Tensor x = random(17, shape);
            return () -> ops.softmax(x);
        });
    }

    /** a + b into a new tensor, or into a ({@code addInPlace}; the sum grows a little each run, harmlessly). */
    static BenchCase add(int[] shape, boolean inPlace) {
        long numel = Tensor.numel(shape);
        return new BenchCase(inPlace ? "addInPlace" : "add", Arrays.toString(shape), 0, 12.0 * numel, ops -> {
            Tensor a = random(18, shape), b = random(19, shape);
            return inPlace ? () -> ops.addInPlace(a, b) : () -> ops.add(a, b);
        });
    }

    /** Uniform [-1, 1) from a fixed-seed LCG (fast enough for 50M-element inputs). */
    static Tensor random(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        long s = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < d.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            d[i] = ((s >>> 40) * 0x1.0p-23f) - 1f;
        }
        return t;
    }

    /** Runs the peak probe and every selected case; progress lines go to {@code progress} (may be null). */
    public static Report run(Options o, PrintStream progress) {
        VectorOps ops = new VectorOps(o.threads(), o.packCache());
        Parallel team = new Parallel(o.threads());
        long iters = o.quick() ? 2_000_000L : 50_000_000L;
        PeakProbe.gflops(team, iters / 10, 1); // warm-up: compile the probe
        double peak = 0, corePeak = 0;
        for (int r = 0; r < (o.quick() ? 2 : 3); r++) {
            long cpu0 = team.cpuNanos();
            peak = Math.max(peak, PeakProbe.gflops(team, iters, 1));
            long cpu = team.cpuNanos() - cpu0;
            corePeak = Math.max(corePeak, cpu0 < 0 ? Double.NaN
                    : (double) PeakProbe.FLOPS_PER_ITERATION * iters * o.threads() / cpu);
        }
        // three arrays of 32M floats (384 MB in all: many times any L3), 4M in quick mode
        double bandwidth = BandwidthProbe.triadGbPerSecond(team, o.quick() ? 1 << 22 : 1 << 25, o.quick() ? 2 : 5);
        if (progress != null) {
            progress.printf(Locale.ROOT, "peak: %.1f GFLOPS (%d threads, FMA loop), %.1f per core; "
                    + "bandwidth: %.1f GB/s (STREAM triad)%n", peak, o.threads(), corePeak, bandwidth);
        }
        List<Result> results = new ArrayList<>();
        for (BenchCase c : cases(o.quick())) {
            if (!selected(c, o.filter())) {
                continue;
            }
            Runnable r = c.setup().prepare(ops);
            // warm-up (JIT, first touch of buffers): a few-millisecond op needs ~100 calls before C2 has compiled
            // it, as it has in a UNet step that calls it hundreds of times; a slow one is warm after one
            long w0 = System.nanoTime();
            int warm = 0;
            do {
                r.run();
                warm++;
            } while (warm < 100 && System.nanoTime() - w0 < 1_000_000_000L);
            double[] times = new double[o.reps()];
            double cpuBest = Double.POSITIVE_INFINITY;
            for (int i = 0; i < times.length; i++) {
                long cpu0 = ops.teamCpuNanos();
                long t0 = System.nanoTime();
                r.run();
                times[i] = (System.nanoTime() - t0) / 1e9;
                cpuBest = Math.min(cpuBest, cpu0 < 0 ? Double.NaN : (ops.teamCpuNanos() - cpu0) / 1e9);
            }
            Arrays.sort(times);
            Result res = new Result(c, times[0], times[times.length / 2], cpuBest);
            results.add(res);
            if (progress != null) {
                progress.println(row(res, peak, corePeak, bandwidth));
            }
        }
        return new Report(o.threads(), Lanes.L * 32, peak, corePeak, bandwidth, o.packCache(), results);
    }

    /** Whether the case's "group shape" text contains the filter or one of its comma-separated parts. */
    static boolean selected(BenchCase c, String filter) {
        if (filter == null) {
            return true;
        }
        String text = c.group() + " " + c.shape();
        return Arrays.stream(filter.split(",")).map(String::strip).anyMatch(f -> !f.isEmpty() && text.contains(f));
    }

    static String header() {
        return String.format(Locale.ROOT, "%-15s %-32s %9s %9s %8s %7s %9s %8s %7s", "op", "shape", "best ms",
                "median ms", "GFLOPS", "% peak", "cpu ms", "GF/core", "% core");
    }

    static String row(Result r, double peak, double corePeak, double bandwidth) {
        BenchCase c = r.benchCase();
        if (c.computeBound()) {
            return String.format(Locale.ROOT, "%-15s %-32s %9.1f %9.1f %8.1f %6.1f%% %9.1f %8.1f %6.1f%%", c.group(),
                    c.shape(), r.bestSeconds() * 1e3, r.medianSeconds() * 1e3, r.gflops(), r.percentOfPeak(peak),
                    r.cpuSeconds() * 1e3, r.gflopsPerCpuSecond(), r.percentOfCorePeak(corePeak));
        }
        return String.format(Locale.ROOT, "%-15s %-32s %9.1f %9.1f %8s %7s %9.1f   %.2f GB/s = %.0f%% of bandwidth",
                c.group(), c.shape(), r.bestSeconds() * 1e3, r.medianSeconds() * 1e3, "-", "-", r.cpuSeconds() * 1e3,
                r.gbPerSecond(), r.percentOfBandwidth(bandwidth));
    }

    /** The human-readable table. */
    public static String table(Report report) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "FMA peak (measured in this run): %.1f GFLOPS, %d threads, %d-bit vectors%s%n",
                report.peakGflops(), report.threads(), report.vectorBits(),
                report.packCache() ? ", packed-weight cache on" : ""));
        sb.append(String.format(Locale.ROOT, "memory bandwidth (STREAM triad, same threads, this run): %.1f GB/s%n",
                report.bandwidthGbs()));
        sb.append(String.format(Locale.ROOT, "per core, by thread CPU time: %.1f GFLOPS (\"GF/core\" and \"%% core\" "
                + "count only CPU time the op got, so they hold on a shared machine)%n", report.corePeakGflops()));
        sb.append(header()).append('\n');
        for (Result r : report.results()) {
            sb.append(row(r, report.peakGflops(), report.corePeakGflops(), report.bandwidthGbs())).append('\n');
        }
        return sb.toString();
    }

    /**
     * The report as JSON: {"peakGflops":..,"corePeakGflops":..,"bandwidthGbs":..,"threads":..,"vectorBits":..,
     * "packCache":..,"results":[{"op","shape","bestMs","medianMs","cpuMs", then "flops","gflops","percentOfPeak",
     * "gflopsPerCore","percentOfCorePeak" or "bytes","gbPerSecond","percentOfBandwidth"}]}.
     */
    public static String json(Report report) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"peakGflops\":").append(num(report.peakGflops()));
        sb.append(",\"corePeakGflops\":").append(num(report.corePeakGflops()));
        sb.append(",\"bandwidthGbs\":").append(num(report.bandwidthGbs()));
        sb.append(",\"threads\":").append(report.threads());
        sb.append(",\"vectorBits\":").append(report.vectorBits());
        sb.append(",\"packCache\":").append(report.packCache());
        sb.append(",\"results\":[");
        for (int i = 0; i < report.results().size(); i++) {
            Result r = report.results().get(i);
            BenchCase c = r.benchCase();
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"op\":").append(TextNode.valueOf(c.group()));
            sb.append(",\"shape\":").append(TextNode.valueOf(c.shape()));
            sb.append(",\"bestMs\":").append(num(r.bestSeconds() * 1e3));
            sb.append(",\"medianMs\":").append(num(r.medianSeconds() * 1e3));
            sb.append(",\"cpuMs\":").append(num(r.cpuSeconds() * 1e3));
            if (c.computeBound()) {
                sb.append(",\"flops\":").append(num(c.flops()));
                sb.append(",\"gflops\":").append(num(r.gflops()));
                sb.append(",\"percentOfPeak\":").append(num(r.percentOfPeak(report.peakGflops())));
                sb.append(",\"gflopsPerCore\":").append(num(r.gflopsPerCpuSecond()));
                sb.append(",\"percentOfCorePeak\":").append(num(r.percentOfCorePeak(report.corePeakGflops())));
            } else {
                sb.append(",\"bytes\":").append(num(c.bytes()));
                sb.append(",\"gbPerSecond\":").append(num(r.gbPerSecond()));
                sb.append(",\"percentOfBandwidth\":").append(num(r.percentOfBandwidth(report.bandwidthGbs())));
            }
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
