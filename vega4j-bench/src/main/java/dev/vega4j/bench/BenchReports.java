package dev.vega4j.bench;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text and JSON renderings of {@link ModelBenchmark.Report}s and the seed's latency comparison. */
public final class BenchReports {
    private BenchReports() {}

    /** Segmind's published A100 latencies for one 25-step image (the seed's table). */
    public record Seed(String family, int size, double a100Seconds) {}

    public static final List<Seed> SEED = List.of(new Seed("sdxl", 1024, 3.35), new Seed("vega", 1024, 1.39),
            new Seed("sd15", 768, 1.42));

    /**
     * The rows of {@code vega bench table}: the seed's, and Segmind Vega at 512² (no A100 figure; the size peers are
     * often compared at, and a quarter of the 1024² work).
     */
    public static final List<Seed> TABLE = List.of(SEED.get(0), SEED.get(1), new Seed("vega", 512, Double.NaN),
            SEED.get(2));

    public static final int STEPS = 25;
    /** Steps of the VegaRT preset (Segmind's vega-rt default). */
    public static final int VEGART_STEPS = 4;

    public static String table(ModelBenchmark.Report r) {
        return table(r, null);
    }

    /** The report, and the cold {@code vega generate} processes when they were timed ({@code cold} may be null). */
    public static String table(ModelBenchmark.Report r, ColdGenerate.Result processes) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s at %d², weights %s; %d threads, FMA peak %.1f GFLOPS at the start"
                + " (%% peak: against a probe right after each phase);"
                + " %d timed run(s) per phase; cross-attention K/V cache %s; models %s; startup cache %s%n",
                r.model(), r.size(), r.weights(), r.threads(), r.peakGflops(), r.runs(), r.kvCache() ? "on" : "off",
                r.sequential() ? "built per phase (sequential)" : "all resident", r.startupCache() ? "on" : "off"));
        sb.append(String.format(Locale.ROOT, "build: %s; weights %.2f GB in memory%n", build(r.buildSeconds()),
                r.weightBytes() / 1e9));
        sb.append(String.format(Locale.ROOT, "%-14s %-30s %8s %8s %10s %9s %8s %8s %8s %7s %9s %8s %9s%n",
                "phase", "shape", "TFLOP", "cold s", "cold CPU s", "median s", "min s", "CPU s", "GFLOPS", "% peak",
                "GF/CPU-s", "HWM GiB", "extra GiB"));
        for (ModelBenchmark.Phase p : r.phases()) {
            sb.append(String.format(Locale.ROOT,
                    "%-14s %-30s %8.3f %8.2f %10.2f %9.2f %8.2f %8.2f %8.1f %6.1f%% %9.1f %8.2f %9s%n",
                    p.name(), p.shape(), p.flops() / 1e12, p.coldSeconds(), p.coldCpuSeconds(), p.medianSeconds(),
                    p.minSeconds(), p.medianCpuSeconds(), p.gflops(), p.percentOfPeak(), p.gflopsPerCpuSecond(),
                    gb(p.peakResidentBytes()), p.extraResidentBytes() < 0 ? "-"
                            : String.format(Locale.ROOT, "%.2f", gb(p.extraResidentBytes()))));
        }
        sb.append("extra GiB: peak resident memory (VmRSS, sampled every 50 ms) during the phase's runs minus what was"
                + " resident before them\n");
        double warm = r.imageSeconds(STEPS, false), cold = r.imageSeconds(STEPS, true);
        if (!Double.isNaN(warm)) {
            sb.append(String.format(Locale.ROOT, "one %d-step image (estimate = text + %d x UNet step b2 + VAE):"
                    + " warm %.1f s, cold %.1f s (first run of each phase)%n", STEPS, STEPS, warm, cold));
        }
        double rt = r.vegaRtSeconds(VEGART_STEPS);
        if (!Double.isNaN(rt)) {
            sb.append(String.format(Locale.ROOT, "VegaRT preset, one %d-step image (LCM, guidance 1; estimate = text + %d"
                    + " x UNet step b1 + VAE): warm %.1f s%s%n", VEGART_STEPS, VEGART_STEPS, rt,
                    Double.isNaN(warm) ? "" : String.format(Locale.ROOT, ", %.1fx faster than the %d-step default",
                            warm / rt, STEPS)));
        }
        sb.append(String.format(Locale.ROOT, "peak resident memory (VmHWM): %.2f GiB%n", gb(r.peakResidentBytes())));
        if (processes != null) {
            sb.append(coldTable(processes));
        }
        return sb.toString();
    }

    /** The cold {@code vega generate} processes, with and without the startup cache. */
    public static String coldTable(ColdGenerate.Result c) {
        return String.format(Locale.ROOT, "cold vega generate (a fresh process through ./vega, start to exit; %s, %s,"
                + " %d steps): startup cache on: median %.2f s %s, CPU %s s; off (VEGA_AOT=0): median %.2f s %s, CPU %s"
                + " s; on/off %.2f (wall), %s (CPU)%s%n",
                c.model(), c.size() > 0 ? c.size() + "²" : "the model's size", c.steps(), c.medianWith(),
                runs(c.withCache()), runs(c.cpuWithCache()), c.medianWithout(), runs(c.withoutCache()),
                runs(c.cpuWithoutCache()), c.medianWith() / c.medianWithout(),
                String.format(Locale.ROOT, "%.2f", ColdGenerate.median(c.cpuWithCache())
                        / ColdGenerate.median(c.cpuWithoutCache())),
                c.cacheFile() ? "" : " (no cache file was made: both ran without)");
    }

    private static String runs(double[] seconds) {
        StringBuilder sb = new StringBuilder("[");
        for (double s : seconds) {
            sb.append(sb.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.2f", s));
        }
        return sb.append(']').toString();
    }

    /** The seed's comparison: per-image estimates next to Segmind's A100 figures. */
    public static String latencyTable(List<ModelBenchmark.Report> reports) {
        return latencyTable(reports, null);
    }

    /** The seed's comparison and, when {@code peer} is given, the side-by-side numbers of another engine. */
    public static String latencyTable(List<ModelBenchmark.Report> reports, PeerNumbers peer) {
        StringBuilder sb = new StringBuilder();
        sb.append("one 25-step image, ESTIMATED as text encoders + 25 x UNet step (batch 2, CFG) + VAE decode,"
                + " each measured here\n");
        sb.append(String.format(Locale.ROOT, "%-8s %6s %10s %10s %10s %14s %14s%n", "model", "size", "A100 s",
                "warm s", "cold s", "warm / A100", "vs Vega (CPU)"));
        double vegaWarm = Double.NaN;
        for (ModelBenchmark.Report r : reports) {
            if (r.model().equals("vega") && Double.isNaN(vegaWarm)) {
                vegaWarm = r.imageSeconds(STEPS, false);
            }
        }
        for (ModelBenchmark.Report r : reports) {
            Seed s = seed(r.model(), r.size());
            double warm = r.imageSeconds(STEPS, false), cold = r.imageSeconds(STEPS, true);
            sb.append(String.format(Locale.ROOT, "%-8s %5d² %10s %10.1f %10.1f %14s %14s%n", r.model(), r.size(),
                    s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.a100Seconds()), warm, cold,
                    s == null ? "-" : String.format(Locale.ROOT, "%.0fx", warm / s.a100Seconds()),
                    Double.isNaN(vegaWarm) ? "-" : String.format(Locale.ROOT, "%.2fx", warm / vegaWarm)));
        }
        sb.append("A100 s: Segmind's published figures (the seed's table); the ratio column compares the CPU here"
                + " with that GPU.\n");
        if (peer != null) {
            sb.append(peerTable(reports, peer));
        }
        return sb.toString();
    }

    /**
     * vega4j's UNet step (batch 2) and VAE decode medians next to a peer's figures for the same model and size, with
     * the ratio vega4j / peer (below 1: vega4j is faster). Rows the peer has no figure for show "-".
     */
    public static String peerTable(List<ModelBenchmark.Report> reports, PeerNumbers peer) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "side by side with %s%s%n", peer.peer(),
                peer.machine().isEmpty() ? "" : " (measured on " + peer.machine() + ")"));
        sb.append(String.format(Locale.ROOT, "%-8s %6s %12s %10s %12s %12s %10s %12s%n", "model", "size",
                "UNet b2 s", "peer s", "vega4j/peer", "VAE s", "peer s", "vega4j/peer"));
        for (ModelBenchmark.Report r : reports) {
            PeerNumbers.Row row = peer.row(r.model(), r.size());
            ModelBenchmark.Phase unet = r.phase(ModelBenchmark.UNET_B2), vae = r.phase(ModelBenchmark.VAE);
            double ours1 = unet == null ? Double.NaN : unet.medianSeconds();
            double ours2 = vae == null ? Double.NaN : vae.medianSeconds();
            double peer1 = row == null ? Double.NaN : row.unetStepB2Seconds();
            double peer2 = row == null ? Double.NaN : row.vaeDecodeSeconds();
            sb.append(String.format(Locale.ROOT, "%-8s %5d² %12s %10s %12s %12s %10s %12s%n", r.model(), r.size(),
                    seconds(ours1), seconds(peer1), ratio(ours1, peer1), seconds(ours2), seconds(peer2),
                    ratio(ours2, peer2)));
        }
        sb.append("vega4j: medians measured here; peer: the figures of the --peer-json file (its machine may not be"
                + " this one)\n");
        return sb.toString();
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2f", s);
    }

    private static String ratio(double ours, double peer) {
        return Double.isNaN(ours) || Double.isNaN(peer) ? "-" : String.format(Locale.ROOT, "%.2fx", ours / peer);
    }

    /** Segmind's A100 figure for a model at a size, or null. */
    static Seed seed(String family, int size) {
        return SEED.stream().filter(s -> s.family().equals(family) && s.size() == size).findFirst().orElse(null);
    }

    /**
     * The report as JSON (one object; see {@code BenchReportsTest} for the shape). Strings are quoted by Jackson
     * ({@link TextNode}'s {@code toString}); numbers keep six significant digits ({@link #num}).
     */
    public static String json(ModelBenchmark.Report r) {
        return json(r, null);
    }

    /** The report with a {@code coldGenerate} object when the cold processes were timed ({@code cold} may be null). */
    public static String json(ModelBenchmark.Report r, ColdGenerate.Result cold) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":").append(TextNode.valueOf(r.model()));
        sb.append(",\"weights\":").append(TextNode.valueOf(r.weights()));
        sb.append(",\"size\":").append(r.size());
        sb.append(",\"threads\":").append(r.threads());
        sb.append(",\"peakGflops\":").append(num(r.peakGflops()));
        sb.append(",\"runs\":").append(r.runs());
        sb.append(",\"kvCache\":").append(r.kvCache());
        sb.append(",\"sequential\":").append(r.sequential());
        sb.append(",\"startupCache\":").append(r.startupCache());
        sb.append(",\"weightBytes\":").append(r.weightBytes());
        sb.append(",\"buildSeconds\":{");
        int i = 0;
        for (Map.Entry<String, Double> e : r.buildSeconds().entrySet()) {
            sb.append(i++ > 0 ? "," : "").append(TextNode.valueOf(e.getKey())).append(':')
                    .append(num(e.getValue()));
        }
        sb.append("},\"phases\":[");
        i = 0;
        for (ModelBenchmark.Phase p : r.phases()) {
            sb.append(i++ > 0 ? "," : "").append('{');
            sb.append("\"name\":").append(TextNode.valueOf(p.name()));
            sb.append(",\"shape\":").append(TextNode.valueOf(p.shape()));
            sb.append(",\"flops\":").append(num(p.flops()));
            sb.append(",\"coldSeconds\":").append(num(p.coldSeconds()));
            sb.append(",\"coldCpuSeconds\":").append(num(p.coldCpuSeconds()));
            sb.append(",\"medianSeconds\":").append(num(p.medianSeconds()));
            sb.append(",\"minSeconds\":").append(num(p.minSeconds()));
            sb.append(",\"medianCpuSeconds\":").append(num(p.medianCpuSeconds()));
            sb.append(",\"gflops\":").append(num(p.gflops()));
            sb.append(",\"peakGflops\":").append(num(p.peakGflops()));
            sb.append(",\"percentOfPeak\":").append(num(p.percentOfPeak()));
            sb.append(",\"gflopsPerCpuSecond\":").append(num(p.gflopsPerCpuSecond()));
            sb.append(",\"peakResidentBytes\":").append(p.peakResidentBytes());
            sb.append(",\"extraResidentBytes\":").append(p.extraResidentBytes());
            sb.append('}');
        }
        sb.append("],\"image25Steps\":{\"warmSeconds\":").append(num(r.imageSeconds(STEPS, false)));
        sb.append(",\"coldSeconds\":").append(num(r.imageSeconds(STEPS, true))).append(",\"estimated\":true}");
        Seed s = seed(r.model(), r.size());
        if (s != null) {
            sb.append(",\"a100Seconds\":").append(num(s.a100Seconds()));
        }
        sb.append(",\"peakResidentBytes\":").append(r.peakResidentBytes());
        if (cold != null) {
            sb.append(",\"coldGenerate\":").append(coldJson(cold));
        }
        return sb.append('}').toString();
    }

    /** {"model","size" (0 = the model's own),"steps","withCache":[s...],"withoutCache":[s...],"cacheFile"}. */
    static String coldJson(ColdGenerate.Result c) {
        StringBuilder sb = new StringBuilder("{\"model\":").append(TextNode.valueOf(c.model()));
        sb.append(",\"size\":").append(c.size()).append(",\"steps\":").append(c.steps());
        sb.append(",\"withCache\":").append(numbers(c.withCache()));
        sb.append(",\"withoutCache\":").append(numbers(c.withoutCache()));
        sb.append(",\"medianWithCache\":").append(num(c.medianWith()));
        sb.append(",\"medianWithoutCache\":").append(num(c.medianWithout()));
        sb.append(",\"cpuWithCache\":").append(numbers(c.cpuWithCache()));
        sb.append(",\"cpuWithoutCache\":").append(numbers(c.cpuWithoutCache()));
        return sb.append(",\"cacheFile\":").append(c.cacheFile()).append('}').toString();
    }

    private static String numbers(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? "," : "").append(num(v[i]));
        }
        return sb.append(']').toString();
    }

    /** Several reports as a JSON array. */
    public static String json(List<ModelBenchmark.Report> reports) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < reports.size(); i++) {
            sb.append(i > 0 ? "," : "").append(json(reports.get(i)));
        }
        return sb.append(']').toString();
    }

    private static String build(Map<String, Double> b) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : b.entrySet()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f s", e.getValue()));
        }
        return sb.toString();
    }

    private static double gb(long bytes) {
        return bytes / (1024.0 * 1024 * 1024);
    }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
