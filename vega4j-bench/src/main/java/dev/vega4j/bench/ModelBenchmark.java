package dev.vega4j.bench;

import dev.vega4j.VegaException;
import dev.vega4j.config.ClipTextConfig;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.config.TinyVaeConfig;
import dev.vega4j.config.VaeConfig;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vega4j.io.checkpoint.CheckpointVariant;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import dev.vega4j.bench.RandomWeights;
import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.layers.CrossAttentionCache;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.models.vae.AutoencoderTiny;
import dev.vega4j.pipeline.LatentPreviewer;
import dev.vega4j.pipeline.LinearLatentPreview;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.TinyLatentAutoencoder;
import dev.vega4j.pipeline.TinyVaePreview;
import dev.vega4j.pipeline.PromptEmbeddings;
import dev.vega4j.pipeline.PromptEncoder;
import dev.vega4j.pipeline.PromptEncoders;
import dev.vega4j.pipeline.PromptTokenizer;
import dev.vega4j.pipeline.Sd15PromptEncoder;
import dev.vega4j.pipeline.SdxlPromptEncoder;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tensor.JitWarmup;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import dev.vega4j.tensor.TensorOps;
import dev.vega4j.bench.ops.ProfilingOps;
import dev.vega4j.tensor.kernels.Parallel;
import dev.vega4j.tensor.kernels.PeakProbe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Model-level speed: builds a real-size pipeline's models (seeded random weights from the bundled configs, or a
 * diffusers folder), warms each phase up once (that first run is reported as "cold"), then times {@code runs} more:
 * prompt encoding (tokenise + text encoder(s), as the pipeline does it with classifier-free guidance), one UNet step at
 * batch 1 and batch 2 (CFG), one VAE decode of one image. Each phase reports median and min wall time, process CPU
 * time, the analytic FLOPs ({@link FlopCounter}) as GFLOPS and as a share of the FMA peak measured in the same run,
 * and the peak resident memory so far.
 */
public final class ModelBenchmark {
    private ModelBenchmark() {}

    /**
     * What to run.
     *
     * @param phases     the phases to run (names as {@link #TEXT}, {@link #UNET_B1}, {@link #UNET_B2}, {@link #VAE});
     *                   null or empty = all; models no selected phase needs are not built
     * @param profileOps time every tensor op by kind during the timed runs and print the split per phase
     * @param vaeTileSize with {@code vaeTiling}: the VAE's image tile side in pixels
     *                    ({@link AutoencoderKL#setTileSampleSize(int)}); 0 = the VAE's sample_size
     */
    public record Options(String family, Path modelDir, int size, int runs, boolean quick, boolean unetBatch1,
            boolean kvCache, boolean vaeTiling, boolean sequential, long seed, Set<String> phases,
            boolean profileOps, Tensor.Storage randomWeights, int vaeTileSize) {

        /** The VAE's default tile (its sample_size) when tiling. */
        public Options(String family, Path modelDir, int size, int runs, boolean quick, boolean unetBatch1,
                boolean kvCache, boolean vaeTiling, boolean sequential, long seed, Set<String> phases,
                boolean profileOps, Tensor.Storage randomWeights) {
            this(family, modelDir, size, runs, quick, unetBatch1, kvCache, vaeTiling, sequential, seed, phases,
                    profileOps, randomWeights, 0);
        }

        /** All phases, no op profile, random weights held as fp16 (like a pipeline loaded from fp16 files). */
        public Options(String family, Path modelDir, int size, int runs, boolean quick, boolean unetBatch1,
                boolean kvCache, boolean vaeTiling, boolean sequential, long seed) {
            this(family, modelDir, size, runs, quick, unetBatch1, kvCache, vaeTiling, sequential, seed, null, false);
        }

        /** Random weights held as fp16. */
        public Options(String family, Path modelDir, int size, int runs, boolean quick, boolean unetBatch1,
                boolean kvCache, boolean vaeTiling, boolean sequential, long seed, Set<String> phases,
                boolean profileOps) {
            this(family, modelDir, size, runs, quick, unetBatch1, kvCache, vaeTiling, sequential, seed, phases,
                    profileOps, Tensor.Storage.F16);
        }

        public Options {
            java.util.Objects.requireNonNull(randomWeights, "randomWeights");
            phases = phases == null ? Set.of() : Set.copyOf(phases);
            for (String ph : phases) {
                if (!List.of(TEXT, UNET_B1, UNET_B2, VAE, VAE_TINY).contains(ph)) {
                    throw new VegaException("bench: unknown phase '" + ph + "' (" + TEXT + ", " + UNET_B1 + ", "
                            + UNET_B2 + ", " + VAE + ", " + VAE_TINY + ")");
                }
            }
            if (size < 8 || size % 8 != 0) {
                throw new VegaException("bench: --size must be a positive multiple of 8, got " + size);
            }
            if (runs < 1) {
                throw new VegaException("bench: --runs must be >= 1");
            }
            if (vaeTileSize != 0 && !vaeTiling) {
                throw new VegaException("bench: --vae-tile-size needs --vae-tiling");
            }
            if (vaeTileSize != 0 && (vaeTileSize < AutoencoderKL.MIN_TILE_SAMPLE_SIZE || vaeTileSize % 8 != 0)) {
                // the VAE checks its own scale factor's rule when it is built; this catches the rest up front
                throw new VegaException("bench: --vae-tile-size must be a multiple of 8 and at least "
                        + AutoencoderKL.MIN_TILE_SAMPLE_SIZE + ", got " + vaeTileSize);
            }
            if (modelDir == null) {
                variant(family); // an unknown name fails before anything is measured
            }
        }

        /** Whether a phase is selected. */
        public boolean runs(String phase) {
            if (phase.equals(VAE_TINY)) { // opt-in: the default set stays what it was
                return phases.contains(VAE_TINY);
            }
            // the tiny decoder is timed next to the full one
            return phases.isEmpty() || phases.contains(phase) || (phase.equals(VAE) && phases.contains(VAE_TINY));
        }

        /** The bundled configs for a family name (vega, sdxl, ssd1b, sd15). */
        public CheckpointVariant variant() {
            return variant(family);
        }

        private static CheckpointVariant variant(String family) {
            for (CheckpointVariant v : CheckpointVariant.values()) {
                if (v.id().equalsIgnoreCase(family)) {
                    return v;
                }
            }
            throw new VegaException("bench: unknown model '" + family + "' (vega, sdxl, ssd1b, sd15)");
        }
    }

    /**
     * One timed phase. Times in seconds; {@code flops} per run. {@code extraResidentBytes}: the peak resident memory
     * (VmRSS, sampled every 50 ms) during the phase's runs (cold and timed) minus what was resident right before them,
     * i.e. the memory the phase made the process take on top of what it held (-1 where /proc is not available).
     * {@code coldCpuSeconds}: the process CPU time of the cold run (JIT compiler threads included; NaN if not
     * measured), which a shared machine's load moves less than the wall time.
     */
    public record Phase(String name, String shape, double flops, double coldSeconds, double medianSeconds,
            double minSeconds, double medianCpuSeconds, long peakResidentBytes, double peakGflops,
            long extraResidentBytes, double coldCpuSeconds) {

        /** Without the cold run's CPU time. */
        public Phase(String name, String shape, double flops, double coldSeconds, double medianSeconds,
                double minSeconds, double medianCpuSeconds, long peakResidentBytes, double peakGflops,
                long extraResidentBytes) {
            this(name, shape, flops, coldSeconds, medianSeconds, minSeconds, medianCpuSeconds, peakResidentBytes,
                    peakGflops, extraResidentBytes, Double.NaN);
        }

        /** Without a measured extra memory. */
        public Phase(String name, String shape, double flops, double coldSeconds, double medianSeconds,
                double minSeconds, double medianCpuSeconds, long peakResidentBytes, double peakGflops) {
            this(name, shape, flops, coldSeconds, medianSeconds, minSeconds, medianCpuSeconds, peakResidentBytes,
                    peakGflops, -1);
        }

        public double gflops() {
            return flops / minSeconds / 1e9;
        }

        /** FLOPs per CPU-second (all threads): the work rate however busy the machine is. */
        public double gflopsPerCpuSecond() {
            return flops / medianCpuSeconds / 1e9;
        }

        /** Against the FMA peak probed right after this phase (the share of the machine this process gets varies). */
        public double percentOfPeak() {
            return percentOfPeak(peakGflops);
        }

        public double percentOfPeak(double peakGflops) {
            return 100 * gflops() / peakGflops;
        }
    }

    /**
     * Everything one run measured. {@code startupCache}: whether this JVM runs with the launcher's startup cache
     * ({@link StartupCache#inUse()}).
     */
    public record Report(String model, String weights, int size, int threads, double peakGflops, int runs,
            boolean kvCache, boolean sequential, Map<String, Double> buildSeconds, List<Phase> phases,
            long peakResidentBytes, long weightBytes, boolean startupCache) {

        /** Without the startup cache. */
        public Report(String model, String weights, int size, int threads, double peakGflops, int runs,
                boolean kvCache, boolean sequential, Map<String, Double> buildSeconds, List<Phase> phases,
                long peakResidentBytes, long weightBytes) {
            this(model, weights, size, threads, peakGflops, runs, kvCache, sequential, buildSeconds, phases,
                    peakResidentBytes, weightBytes, false);
        }

        public Phase phase(String name) {
            return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
        }

        /**
         * One image of {@code steps} CFG steps estimated from the phases: prompt encoding + steps × UNet step
         * (batch 2) + VAE decode. Warm uses the medians; cold the first (JIT-cold) run of every phase and the median
         * for the remaining steps.
         */
        public double imageSeconds(int steps, boolean cold) {
            Phase text = phase(TEXT), unet = phase(UNET_B2), vae = phase(VAE);
            if (text == null || unet == null || vae == null) {
                return Double.NaN;
            }
            if (cold) {
                return text.coldSeconds() + unet.coldSeconds() + (steps - 1) * unet.medianSeconds()
                        + vae.coldSeconds();
            }
            return text.medianSeconds() + steps * unet.medianSeconds() + vae.medianSeconds();
        }

        /**
         * A VegaRT-style image (LCM-LoRA, {@code steps} LCM steps at guidance 1: no classifier-free guidance, so one
         * batch-1 UNet call per step) estimated from the warm medians: prompt encoding + steps × UNet step (batch 1)
         * + VAE decode. NaN when the batch-1 step was not measured.
         */
        public double vegaRtSeconds(int steps) {
            Phase text = phase(TEXT), unet = phase(UNET_B1), vae = phase(VAE);
            if (text == null || unet == null || vae == null) {
                return Double.NaN;
            }
            return text.medianSeconds() + steps * unet.medianSeconds() + vae.medianSeconds();
        }
    }

    public static final String TEXT = "text_encoders", UNET_B1 = "unet_step_b1", UNET_B2 = "unet_step_b2",
            VAE = "vae_decode";
    /**
     * {@code --phases vae_decode_tiny} (not in the default set): a TAESD {@code AutoencoderTiny} decode at the full
     * size next to {@link #VAE}, and the two live previews: {@link #PREVIEW_TINY} (TAESD on the latents averaged down
     * to at most 256 px) and {@link #PREVIEW_LINEAR} (the linear latent-to-RGB map).
     */
    public static final String VAE_TINY = "vae_decode_tiny", PREVIEW_TINY = "preview_tiny",
            PREVIEW_LINEAR = "preview_linear";

    /** The token ids random-weight runs feed the encoders ("a photo of a cat", padded): no vocabulary is bundled. */
    static final int[] FIXED_IDS = {49406, 320, 1125, 539, 320, 2368, 49407};

    public static Report run(Options o, PrintStream progress) {
        PrintStream log = progress != null ? progress : new PrintStream(java.io.OutputStream.nullOutputStream());
        int threads = Parallel.defaultThreads();
        double peak = measurePeak(threads, o.quick());
        log.printf(Locale.ROOT, "FMA peak: %.1f GFLOPS (%d threads)%n", peak, threads);
        JitWarmup.startInBackground(); // as PipelineLoader does when a model starts loading (-Dvega.jitWarmup=false)

        Map<String, Double> build = new LinkedHashMap<>();
        Loader loader = new Loader(o, build, log);
        String model = o.modelDir() != null ? o.modelDir().getFileName().toString() : o.variant().id();
        boolean unetPhases = o.runs(UNET_B2) || (o.unetBatch1() && o.runs(UNET_B1));
        ProfilingOps profile = o.profileOps() ? new ProfilingOps(Ops.get()) : null;
        TensorOps previousOps = Ops.get();
        // resident (default): every model built up front, as a pipeline that serves requests holds them;
        // sequential: each model built right before its phase and dropped after it (a one-shot generation)
        Text text = o.runs(TEXT) || unetPhases ? loader.text() : null;
        UNet2DConditionModel unet = o.sequential() || !unetPhases ? null : loader.unet();
        AutoencoderKL vae = o.sequential() || !o.runs(VAE) ? null : loader.vae();

        List<Phase> phases = new ArrayList<>();
        int latent = o.size() / loader.vaeConfig().scaleFactor();
        try {
            if (profile != null) {
                Ops.set(profile);
            }
            PromptEmbeddings[] emb = new PromptEmbeddings[1];
            if (text != null) {
                // prompt encoding exactly as the pipeline does it (CFG on, no negative prompt)
                double textFlops = 0;
                for (ClipTextEncoder e : text.encoders()) {
                    textFlops += FlopCounter.clipText(e.config(), 77, 1).total() * text.passesPerEncoder();
                }
                PromptEncoder[] prompt = {text.prompt()}; // a slot, so that sequential mode can drop the encoders
                Runnable encode = () -> emb[0] = prompt[0].encode("a photo of a cat", null, null, null, 1, true,
                        null);
                if (o.runs(TEXT)) {
                    phases.add(time(TEXT, "1 prompt, " + text.encoders().size() + " encoder(s)", textFlops, o,
                            log, profile, encode));
                } else {
                    encode.run(); // the UNet's conditioning, untimed
                }
                text = null;
                prompt[0] = null;
            }

            if (unetPhases) {
                if (o.sequential()) {
                    System.gc();
                    unet = loader.unet();
                }
                UNetConfig uc = unet.config();
                UNet2DConditionModel[] u = {unet};
                for (int batch : o.unetBatch1() ? new int[] {1, 2} : new int[] {2}) {
                    String name = batch == 1 ? UNET_B1 : UNET_B2;
                    if (!o.runs(name)) {
                        continue;
                    }
                    UNetInputs in = unetInputs(uc, batch, latent, o.size(), emb[0]);
                    double f = FlopCounter.unet(uc, latent, latent, batch, in.context.dim(1)).total();
                    String shape = o.size() + "², latent " + latent + "², batch " + batch;
                    Supplier<Phase> timed = () -> time(name, shape, f, o, log, profile,
                            () -> u[0].forward(in.sample, 999f, in.context, in.added));
                    // a generation scope across the runs: the runs after the first reuse the cross-attention K/V
                    phases.add(o.kvCache() ? CrossAttentionCache.during(timed) : timed.get());
                }
                unet = null;
                u[0] = null;
            }

            if (o.runs(VAE)) {
                if (o.sequential()) {
                    System.gc();
                    vae = loader.vae();
                }
                AutoencoderKL v = vae;
                v.setTiling(o.vaeTiling());
                v.setTileSampleSize(o.vaeTileSize());
                Tensor z = random(7, 1, v.config().latentChannels(), latent, latent);
                double vf = vaeDecodeFlops(v, latent, o.vaeTiling());
                String tiles = o.vaeTiling() ? ", tiled " + v.tileSampleSize() + " px" : "";
                phases.add(time(VAE, o.size() + "², batch 1" + tiles, vf, o, log, profile,
                        () -> v.decode(z)));
            }
            if (o.runs(VAE_TINY)) {
                phases.addAll(tinyPhases(o, latent, log, profile));
            }
        } finally {
            if (profile != null) {
                Ops.set(previousOps);
            }
        }

        return new Report(model, o.modelDir() != null ? o.modelDir().toString()
                : "random " + (o.randomWeights() == Tensor.Storage.MAPPED_F32 ? "f32"
                        : o.randomWeights().name().toLowerCase(Locale.ROOT)) + " (seed " + o.seed() + ")",
                o.size(), threads, peak, o.runs(), o.kvCache(), o.sequential(), build, phases,
                ProcessStats.peakResidentBytes(), loader.weightBytes, StartupCache.inUse());
    }

    /** TAESD (diffusers' AutoencoderTiny defaults, random weights) at full size, then both preview paths. */
    private static List<Phase> tinyPhases(Options o, int latent, PrintStream log, ProfilingOps profile) {
        TinyVaeConfig tc = TinyVaeConfig.fromJson(JsonNodeFactory.instance.objectNode(), "AutoencoderTiny defaults");
        AutoencoderTiny tiny = AutoencoderTiny.create(tc, RandomWeights.of(AutoencoderTiny.parameterShapes(tc),
                o.seed() + 4, "random vae_tiny", o.randomWeights()));
        Tensor z = random(8, 1, tc.latentChannels(), latent, latent);
        List<Phase> out = new ArrayList<>();
        out.add(time(VAE_TINY, o.size() + "², batch 1, TAESD", FlopCounter.vaeTinyDecode(tc, latent, latent, 1)
                .total(), o, log, profile, () -> tiny.decode(z)));
        LatentPreviewer taesd = new TinyVaePreview(new TinyLatentAutoencoder(tiny));
        int side = LatentPreviewer.shrink(z, tc.scaleFactor()).dim(2);
        out.add(time(PREVIEW_TINY, "latent " + latent + "² as " + side * tc.scaleFactor() + " px",
                FlopCounter.vaeTinyDecode(tc, side, side, 1).total(), o, log, profile, () -> taesd.render(z)));
        LatentPreviewer linear = LinearLatentPreview.of(Pipeline.Family.SDXL);
        out.add(time(PREVIEW_LINEAR, "latent " + latent + "², 4→3 per cell", 24.0 * latent * latent, o, log,
                profile, () -> linear.render(z)));
        return out;
    }

    /**
     * The FLOPs of one decode: one pass, or with tiling one pass per tile of {@link AutoencoderKL#decodeTiled}'s grid
     * (latent tiles of {@code tileLatentSize()} every 75% of it, the last ones cut at the edge). The overlap adds
     * convolution work; the mid-block attention, quadratic in a tile's area, does less.
     */
    static double vaeDecodeFlops(AutoencoderKL v, int latent, boolean tiling) {
        int tile = v.tileLatentSize();
        if (!tiling || latent <= tile) {
            return FlopCounter.vaeDecode(v.config(), latent, latent, 1).total();
        }
        int stride = (int) (tile * 0.75);
        Map<Long, Double> byShape = new java.util.HashMap<>();
        double total = 0;
        for (int y = 0; y < latent; y += stride) {
            for (int x = 0; x < latent; x += stride) {
                int th = Math.min(tile, latent - y), tw = Math.min(tile, latent - x);
                total += byShape.computeIfAbsent((long) th << 32 | tw,
                        k -> FlopCounter.vaeDecode(v.config(), th, tw, 1).total());
            }
        }
        return total;
    }

    static double measurePeak(int threads, boolean quick) {
        Parallel team = new Parallel(threads);
        PeakProbe.gflops(team, 1_000_000L, 1); // compile the probe
        return PeakProbe.gflops(team, quick ? 2_000_000L : 20_000_000L, quick ? 2 : 3);
    }

    private static Phase time(String name, String shape, double flops, Options o, PrintStream log,
            ProfilingOps profile, Runnable r) {
        int runs = o.runs();
        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        double cold, coldCpu;
        long extra;
        try (ResidentSampler rss = ResidentSampler.start()) {
            long cpu0 = ProcessStats.cpuNanos();
            long t0 = System.nanoTime();
            r.run(); // cold: first call of this phase (JIT, first touch of buffers and weights)
            cold = (System.nanoTime() - t0) / 1e9;
            coldCpu = (ProcessStats.cpuNanos() - cpu0) / 1e9;
            log.printf(Locale.ROOT, "%-14s cold %8.2f s wall, %8.2f s CPU%n", name, cold, coldCpu);
            if (profile != null) {
                profile.reset(); // the split of the timed (warm) runs only
            }
            for (int i = 0; i < runs; i++) {
                long c0 = ProcessStats.cpuNanos();
                long w0 = System.nanoTime();
                r.run();
                wall[i] = (System.nanoTime() - w0) / 1e9;
                cpu[i] = (ProcessStats.cpuNanos() - c0) / 1e9;
                log.printf(Locale.ROOT, "%-14s run %d %8.2f s wall, %8.2f s CPU%n", name, i + 1, wall[i], cpu[i]);
            }
            rss.close();
            extra = rss.extraBytes();
        }
        log.printf(Locale.ROOT, "%-14s extra resident memory %.2f GiB (peak VmRSS during the runs - before)%n", name,
                extra / (1024.0 * 1024 * 1024));
        if (profile != null) {
            log.printf(Locale.ROOT, "%s: time per op kind over %d warm run(s)%n%s", name, runs, profile.table());
        }
        double[] sorted = wall.clone();
        Arrays.sort(sorted);
        Arrays.sort(cpu);
        // the peak again, right after the runs: on a shared machine it moves with the load
        double peak = measurePeak(Parallel.defaultThreads(), o.quick());
        return new Phase(name, shape, flops, cold, median(sorted), sorted[0], median(cpu),
                ProcessStats.peakResidentBytes(), peak, extra, coldCpu);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private record UNetInputs(Tensor sample, Tensor context, UNet2DConditionModel.AddedConditions added) {}

    private static UNetInputs unetInputs(UNetConfig c, int batch, int latent, int size, PromptEmbeddings emb) {
        Tensor sample = random(1, batch, c.inChannels(), latent, latent);
        Tensor context = batch == 2 ? emb.unetEncoderHiddenStates(true) : emb.promptEmbeds();
        UNet2DConditionModel.AddedConditions added = null;
        if ("text_time".equals(c.additionEmbedType())) {
            Tensor pooled = batch == 2 ? emb.unetTextEmbeds(true) : emb.pooledPromptEmbeds();
            float[] ids = new float[6 * batch];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(new float[] {size, size, 0, 0, size, size}, 0, ids, 6 * b, 6);
            }
            added = new UNet2DConditionModel.AddedConditions(pooled, Tensor.of(ids, batch, 6));
        }
        return new UNetInputs(sample, context, added);
    }

    /** The prompt encoder and the encoders it runs. */
    private record Text(PromptEncoder prompt, List<ClipTextEncoder> encoders, int passesPerEncoder) {}

    /** Builds each model of the pipeline on demand (random weights or a folder), recording build time and size. */
    private static final class Loader {
        private final Options o;
        private final Map<String, Double> build;
        private final PrintStream log;
        private final PipelineConfigs cfg;
        private final PipelineFolder folder;
        long weightBytes;

        Loader(Options o, Map<String, Double> build, PrintStream log) {
            this.o = o;
            this.build = build;
            this.log = log;
            this.folder = o.modelDir() != null ? PipelineFolder.open(o.modelDir()) : null;
            this.cfg = folder == null ? PipelineConfigs.bundled(o.variant()) : null;
        }

        VaeConfig vaeConfig() {
            return folder != null ? VaeConfig.load(folder.componentDir("vae").resolve("config.json"))
                    : VaeConfig.fromJson(cfg.json(PipelineConfigs.VAE), o.family() + " vae");
        }

        Text text() {
            long t0 = System.nanoTime();
            Text t = folder != null ? loadText() : randomText();
            done("text_encoders", t0);
            return t;
        }

        UNet2DConditionModel unet() {
            long t0 = System.nanoTime();
            UNet2DConditionModel m;
            if (folder != null) {
                m = UNet2DConditionModel.load(folder.componentDir("unet"));
                for (var l : m.adaptableLayers().values()) {
                    weightBytes += l.weight().byteSize();
                }
            } else {
                UNetConfig uc = UNetConfig.fromJson(cfg.json(PipelineConfigs.UNET), o.family() + " unet");
                var w = RandomWeights.forUNet(uc, o.seed() + 2, o.randomWeights());
                m = UNet2DConditionModel.create(uc, w);
                weightBytes += bytes(w.asMap());
            }
            done("unet", t0);
            return m;
        }

        AutoencoderKL vae() {
            long t0 = System.nanoTime();
            AutoencoderKL m;
            if (folder != null) {
                m = AutoencoderKL.load(folder.componentDir("vae"));
            } else {
                VaeConfig vc = vaeConfig();
                var w = RandomWeights.forVae(vc, o.seed() + 3, o.randomWeights());
                m = AutoencoderKL.create(vc, w);
                weightBytes += bytes(w.asMap());
            }
            done("vae", t0);
            return m;
        }

        private void done(String what, long t0) {
            build.put(what, seconds(t0));
            log.printf(Locale.ROOT, "%s built (%s) in %.1f s, resident %.2f GiB%n", what,
                    folder != null ? "loaded" : "random", build.get(what),
                    ProcessStats.residentBytes() / (1024.0 * 1024 * 1024));
        }

        private Text randomText() {
            CheckpointVariant v = o.variant();
            List<ClipTextEncoder> encoders = new ArrayList<>();
            ClipTextConfig c1 = ClipTextConfig.fromJson(cfg.json(PipelineConfigs.TEXT_ENCODER), v.id() + " te");
            var w1 = RandomWeights.of(ClipShapes.of(c1), o.seed(), "random text_encoder", o.randomWeights());
            encoders.add(ClipTextEncoder.create(c1, w1));
            weightBytes += bytes(w1.asMap());
            PromptTokenizer tok = text -> padded(FIXED_IDS, 77, 49407);
            if (!v.xl()) {
                return new Text(new Sd15PromptEncoder(tok, encoders.get(0), null, null), encoders, 2);
            }
            ClipTextConfig c2 = ClipTextConfig.fromJson(cfg.json(PipelineConfigs.TEXT_ENCODER_2), v.id() + " te2");
            var w2 = RandomWeights.of(ClipShapes.of(c2), o.seed() + 1, "random text_encoder_2",
                    o.randomWeights());
            encoders.add(ClipTextEncoder.create(c2, w2));
            weightBytes += bytes(w2.asMap());
            // force_zeros_for_empty_prompt: the missing negative prompt is zeros, not encoded
            return new Text(new SdxlPromptEncoder(tok, encoders.get(0), text -> padded(FIXED_IDS, 77, 0),
                    encoders.get(1), true), encoders, 1);
        }

        private Text loadText() {
            PromptEncoder prompt = PromptEncoders.load(folder);
            if (prompt instanceof SdxlPromptEncoder s) {
                return new Text(prompt, List.of(s.textEncoder(), s.textEncoder2()),
                        s.forceZerosForEmptyPrompt() ? 1 : 2);
            } else if (prompt instanceof Sd15PromptEncoder s) {
                return new Text(prompt, List.of(s.textEncoder()), 2);
            }
            throw new VegaException("bench: unsupported prompt encoder " + prompt.getClass().getSimpleName());
        }
    }

    private static long bytes(Map<String, Tensor> m) {
        long n = 0;
        for (Tensor t : m.values()) {
            n += t.byteSize();
        }
        return n;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static int[] padded(int[] ids, int length, int pad) {
        int[] out = new int[length];
        Arrays.fill(out, pad);
        System.arraycopy(ids, 0, out, 0, Math.min(ids.length, length));
        return out;
    }

    static Tensor random(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return t;
    }
}
