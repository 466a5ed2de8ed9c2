package dev.vega4j.cli;

import dev.vega4j.bench.AotTraining;
import dev.vega4j.bench.BenchReports;
import dev.vega4j.bench.ColdGenerate;
import dev.vega4j.bench.ModelBenchmark;
import dev.vega4j.bench.PeerNumbers;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.bench.ops.OpsBenchmark;
import dev.vega4j.tensor.kernels.GemmBlocking;
import dev.vega4j.tensor.kernels.MicroKernels;
import dev.vega4j.tensor.kernels.Parallel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vega bench}: model-level speed (real-size models, seeded random weights or a model folder) per phase;
 * {@code vega bench table} the seed's latency comparison; {@code vega bench ops} the tensor kernels.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure speed of a real-size pipeline per phase: prompt encoding, one UNet step (batch 1 and 2),"
                + " VAE decode; median/min of N runs, GFLOPS (analytic FLOP count), %% of the FMA peak measured in the"
                + " same run, peak resident memory.",
            "Random weights from the bundled configs unless --model names a diffusers folder."},
        subcommands = {BenchCommand.Table.class, BenchCommand.Ops.class, BenchCommand.AotTrainingRun.class})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model-type", defaultValue = "vega",
            description = "Bundled real-size config: vega, sdxl, ssd1b, sd15 (default: ${DEFAULT-VALUE}).")
    String family;

    @Option(names = "--model", description = "A diffusers pipeline folder to load instead of random weights.")
    Path model;

    @Option(names = "--size", description = "Image side in pixels (default 1024; sd15 768; --quick 256; 512: a"
            + " quarter of the work, the size peers are often compared at).")
    Integer size;

    @Option(names = "--runs", description = "Timed runs per phase after the cold one (default 3; --quick 1).")
    Integer runs;

    @Option(names = "--quick", description = "Small image, one timed run: a smoke test.")
    boolean quick;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--no-batch1", description = "Skip the batch-1 UNet step.")
    boolean noBatch1;

    @Option(names = "--no-kv-cache", description = "Project cross-attention K/V in every step (for comparison).")
    boolean noKvCache;

    @Option(names = "--vae-tiling", description = "Decode in tiles (only images larger than one tile: the VAE's"
            + " sample_size, or --vae-tile-size).")
    boolean vaeTiling;

    @Option(names = "--vae-tile-size", paramLabel = "PX", description = "With --vae-tiling: the tile side in pixels"
            + " (a multiple of 4 x the VAE's scale factor, 32 for SDXL/Vega, at least 64; default: the VAE's"
            + " sample_size, 1024 for SDXL/Vega). 512 bounds a 1024² decode's memory.")
    Integer vaeTileSize;

    @Option(names = "--sequential", description = "Build each model right before its phase and drop it after"
            + " (a one-shot generation's memory) instead of keeping all resident.")
    boolean sequential;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights.")
    long seed;

    @Option(names = "--weights", defaultValue = "fp16",
            description = "How random weights are held: fp16, bf16 or fp32 (layer weights outside the Java heap in that"
                    + " format, as loaded from such files; default: ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--phases", split = ",", description = "Only these phases (text_encoders, unet_step_b1, "
            + "unet_step_b2, vae_decode; vae_decode_tiny, not run by default: a TAESD decode next to vae_decode and"
            + " the live previews' cost); models no selected phase needs are not built.")
    java.util.Set<String> phases;

    @Option(names = "--profile-ops", description = "Time every tensor op by kind during the warm runs and print "
            + "where each phase's time goes.")
    boolean profileOps;

    @Option(names = "--cold-generate", paramLabel = "DIR", description = "Also time a one-image `vega generate` on"
            + " this diffusers pipeline folder end to end in fresh processes through ./vega, alternating with and"
            + " without the startup cache (VEGA_AOT=0), --runs of each, before the phases.")
    Path coldGenerate;

    @Option(names = "--cold-steps", defaultValue = "25", description = "Steps of the --cold-generate image (default:"
            + " ${DEFAULT-VALUE}).")
    int coldSteps;

    @Option(names = "--cold-size", defaultValue = "0", paramLabel = "PX", description = "Side of the --cold-generate"
            + " image (default: the model's own size).")
    int coldSize;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        int n = runs != null ? runs : (quick ? 1 : 3);
        ColdGenerate.Result cold = null;
        if (coldGenerate != null) {
            // first, in fresh processes, while this one holds no model: they do not share the machine with it
            String root = System.getProperty("vega.repoRoot");
            if (root == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--cold-generate runs `vega generate` through the ./vega launcher: start the bench with ./vega");
            }
            cold = ColdGenerate.run(new ColdGenerate.Options(coldGenerate, coldSize, coldSteps, n), Path.of(root),
                    new PrintStream(System.err, true));
        }
        ModelBenchmark.Options o = new ModelBenchmark.Options(family, model, imageSize(family, size, quick),
                n, quick, !noBatch1, !noKvCache, vaeTiling, sequential, seed,
                phases, profileOps, storage(weights), vaeTileSize != null ? vaeTileSize : 0);
        ModelBenchmark.Report r = ModelBenchmark.run(o, new PrintStream(System.err, true));
        var out = spec.commandLine().getOut();
        out.print(json ? BenchReports.json(r, cold) + System.lineSeparator() : BenchReports.table(r, cold));
        out.flush();
        return 0;
    }

    /**
     * {@code vega bench aot-training} (hidden): the training workload the ./vega launcher runs once per jar build to
     * create its startup cache ({@link AotTraining}).
     */
    @Command(name = "aot-training", hidden = true, description = "The ./vega launcher's startup-cache training run.")
    static final class AotTrainingRun implements Callable<Integer> {
        @Override
        public Integer call() {
            AotTraining.run(new PrintStream(System.err, true));
            return 0;
        }
    }

    private Tensor.Storage storage(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "fp16", "f16", "float16" -> Tensor.Storage.F16;
            case "bf16", "bfloat16" -> Tensor.Storage.BF16;
            case "fp32", "f32", "float32" -> Tensor.Storage.MAPPED_F32; // layer weights in native memory, as loaded
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--weights must be fp16, bf16 or fp32, got '" + name + "'");
        };
    }

    static int imageSize(String family, Integer size, boolean quick) {
        if (size != null) {
            return size;
        }
        if (quick) {
            return 256;
        }
        return "sd15".equalsIgnoreCase(family) ? 768 : 1024;
    }

    /**
     * {@code vega bench table}: the seed's latency table (SDXL 1024², Vega 1024² and 512², SD 1.5 768²) as estimates,
     * and a peer's side-by-side figures when given.
     */
    @Command(name = "table", mixinStandardHelpOptions = true,
            description = {"Reproduce the seed's latency comparison: one 25-step image of SDXL 1024², Segmind Vega"
                    + " 1024² and SD 1.5 768², each ESTIMATED as text encoders + 25 x UNet step (batch 2) + VAE decode"
                    + " measured here, next to Segmind's A100 figures (3.35 s, 1.39 s, 1.42 s); Segmind Vega also at 512².",
                "Runs the models one after another in this JVM (random weights)."})
    static final class Table implements Callable<Integer> {
        @Option(names = "--runs", description = "Timed runs per phase after the cold one (default 1).")
        Integer runs;

        @Option(names = "--quick", description = "Quarter-side images (256², 256², 192²): a smoke test.")
        boolean quick;

        @Option(names = "--only", split = ",", description = "Only these models (sdxl, vega, sd15).")
        List<String> only;

        @Option(names = "--sizes", split = ",", paramLabel = "PX", description = "Only rows of these sizes (e.g."
                + " 512 or 512,1024; before --quick divides them).")
        List<Integer> sizes;

        @Option(names = "--peer-json", paramLabel = "FILE", description = "Add another engine's side-by-side figures"
                + " and the ratio vega4j / peer to the text table (schema: dev.vega4j.bench.PeerNumbers; example:"
                + " docs/peers/ort-zen5.json).")
        Path peerJson;

        @Option(names = "--sequential", description = "Build each model only for its phase (see vega bench).")
        boolean sequential;

        @Option(names = "--json", description = "Print the reports as a JSON array.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PeerNumbers peer = peerJson != null ? PeerNumbers.read(peerJson) : null; // a bad file fails first
            List<ModelBenchmark.Report> reports = new ArrayList<>();
            PrintStream log = new PrintStream(System.err, true);
            for (BenchReports.Seed s : BenchReports.TABLE) {
                if ((only != null && !only.contains(s.family())) || (sizes != null && !sizes.contains(s.size()))) {
                    continue;
                }
                int side = quick ? s.size() / 4 : s.size();
                ModelBenchmark.Options o = new ModelBenchmark.Options(s.family(), null, side,
                        runs != null ? runs : 1, quick, false, true, false, sequential, 0);
                log.println("== " + s.family() + " " + side + "²");
                reports.add(ModelBenchmark.run(o, log));
                System.gc(); // drop this model's weights before the next one is built
            }
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(BenchReports.json(reports));
            } else {
                for (ModelBenchmark.Report r : reports) {
                    out.println(BenchReports.table(r));
                }
                out.print(BenchReports.latencyTable(reports, peer));
            }
            out.flush();
            return 0;
        }
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

        @Option(names = "--filter", description = "Only cases whose op or shape contains this text (several: "
                + "comma-separated, e.g. layerNorm,geglu).")
        String filter;

        @Option(names = "--pack-cache", description = "Cache packed weight panels across calls.")
        boolean packCache;

        @Option(names = "--tune", description = "Measure every GEMM register tile again, keep the ranking for this "
                + "machine and print the choice and the runner-up (later runs use it; this run keeps its tile).")
        boolean tune;

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
            // the tile line goes with the table; next to JSON (stdout stays one document) it goes to stderr
            var info = json ? spec.commandLine().getErr() : out;
            MicroKernels.Choice inUse = MicroKernels.chosen();
            if (tune) {
                MicroKernels.Choice c = MicroKernels.tune(null);
                info.println(tileLine("tuned", c));
                if (c.kernel() != inUse.kernel()) {
                    info.println("this run keeps " + inUse.kernel().shape() + "; the next run uses "
                            + c.kernel().shape());
                }
            } else {
                info.println(tileLine(inUse.source().name().toLowerCase(java.util.Locale.ROOT), inUse));
            }
            GemmBlocking.Choice blocking = GemmBlocking.chosen();
            if (tune) {
                GemmBlocking.Choice b = GemmBlocking.tune(null);
                info.println(blockingLine("tuned", b));
                if (!b.blocking().equals(blocking.blocking())) {
                    info.println("this run keeps " + blocking.blocking().name() + "; the next run uses "
                            + b.blocking().name());
                }
            } else {
                info.println(blockingLine(blocking.source().name().toLowerCase(java.util.Locale.ROOT), blocking));
            }
            info.flush();
            OpsBenchmark.Report report = OpsBenchmark.run(new OpsBenchmark.Options(quick, t, r, filter, packCache),
                    json ? null : new java.io.PrintStream(System.err, true));
            out.print(json ? OpsBenchmark.json(report) + System.lineSeparator() : OpsBenchmark.table(report));
            out.flush();
            return 0;
        }

        /** "GEMM blocking: 512x96 (kc x mc; measured, 95.1 GFLOPS on one core; runner-up 384x96, 94.0)". */
        static String blockingLine(String how, GemmBlocking.Choice c) {
            String runnerUp = c.runnerUp().map(r -> String.format(java.util.Locale.ROOT,
                    ", %.1f GFLOPS on one core; runner-up %s, %.1f%s", c.ranking().get(0).gflops(),
                    r.blocking().name(), r.gflops(), r.gflops() > c.ranking().get(0).gflops()
                            ? ", not enough faster to replace the default" : "")).orElse("");
            return "GEMM blocking: " + c.blocking().name() + " (kc x mc; " + how + runnerUp + ")";
        }

        /** "GEMM tile: 6x2 (measured, 105.3 GFLOPS on one core; runner-up 6x4, 105.0) on <machine>". */
        static String tileLine(String how, MicroKernels.Choice c) {
            String runnerUp = c.runnerUp().map(r -> String.format(java.util.Locale.ROOT,
                    ", %.1f GFLOPS on one core; runner-up %s, %.1f%s", c.ranking().get(0).gflops(),
                    r.kernel().shape(), r.gflops(), r.gflops() > c.ranking().get(0).gflops()
                            ? ", not enough faster to replace the default" : "")).orElse("");
            return "GEMM tile: " + c.kernel().shape() + " (" + how + runnerUp + ") on " + c.machine();
        }
    }
}
