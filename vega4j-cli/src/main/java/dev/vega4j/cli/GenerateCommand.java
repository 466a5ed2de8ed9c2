package dev.vega4j.cli;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.lora.LoraAdapter;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.lora.Loras;
import dev.vega4j.lora.VegaRt;
import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.PipelineSource;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.pipeline.Autoencoders;
import dev.vega4j.pipeline.LatentAutoencoder;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.pipeline.VaeLatentAutoencoder;
import dev.vega4j.prompt.WeightedPromptEncoder;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerOverrides;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vega generate "prompt"}: one text-to-image (or img2img / inpainting) run with the defaults of Segmind's Vega
 * API, written as PNG with AUTOMATIC1111 {@code parameters} metadata (or JPEG for {@code .jpg}).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate images from a text prompt (Segmind Vega API defaults: 25 steps, guidance 7.5, the "
                + "model's size, a random seed).",
            "Images are PNG with the generation parameters embedded (AUTOMATIC1111 format), or JPEG for .jpg names."})
final class GenerateCommand implements Callable<Integer> {
    static final String DEFAULT_MODEL = "segmind/Segmind-Vega";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "What to draw.")
    String prompt;

    @Option(names = {"-n", "--negative-prompt"}, paramLabel = "TEXT", description = "What to avoid.")
    String negativePrompt;

    @Option(names = {"-m", "--model"}, paramLabel = "ID_OR_PATH", defaultValue = DEFAULT_MODEL,
            description = "Hub repo id (org/name[@revision]), local diffusers folder, or single-file checkpoint"
                    + " (model.safetensors as A1111/ComfyUI keep them: SD 1.5, SDXL, SSD-1B or Vega, detected; a file"
                    + " with only a UNet needs --config) (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--config", paramLabel = "DIR_OR_ID",
            description = "With a single-file -m: take the configs (and tokenizers) from this diffusers folder or Hub"
                    + " repo instead of the bundled real-size ones; it also supplies the VAE and text encoders a"
                    + " UNet-only file lacks.")
    String configs;

    @Option(names = "--steps", defaultValue = "" + GenerationRequest.DEFAULT_STEPS,
            description = "Denoising steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"--guidance", "--guidance-scale", "--cfg"}, defaultValue = "" + GenerationRequest.DEFAULT_GUIDANCE,
            description = "Classifier-free guidance scale (default: ${DEFAULT-VALUE}).")
    double guidance;

    @Option(names = "--seed", defaultValue = "-1", description = "Seed; -1 = random, printed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = {"Sampler, e.g. \"DPM++ 2M Karras\", Euler, \"Euler a\", DDIM, UniPC (default: the model's).",
                "\"DPM++ SDE\" and \"DPM++ SDE Karras\" run DPM-Solver++ 2M SDE (sde-dpmsolver++), not diffusers'"
                        + " DPMSolverSDEScheduler: that one draws its noise from torchsde's Brownian tree, which"
                        + " cannot be checked against diffusers here."})
    String scheduler;

    @Option(names = "--prediction-type", paramLabel = "TYPE",
            description = "What the UNet predicts: epsilon, v_prediction or sample (default: the model's scheduler"
                    + " config; v-prediction fine-tunes whose config does not say so need v_prediction).")
    String predictionType;

    @Option(names = "--guidance-rescale", paramLabel = "PHI", defaultValue = "0",
            description = "diffusers' guidance_rescale in [0, 1] (Lin et al. 2023; 0.7 suits zero-SNR models; default:"
                    + " ${DEFAULT-VALUE} = off).")
    double guidanceRescale;

    @Option(names = "--zero-snr", negatable = true,
            description = "Rescale the noise schedule to zero terminal SNR (rescale_betas_zero_snr, for zero-SNR"
                    + " fine-tunes; DDIM, DDPM, Euler, Euler a, LCM). Default: the model's scheduler config.")
    Boolean zeroSnr;

    @Option(names = "--width", description = "Width in pixels, a multiple of 8 (default: the model's, 1024 for Vega).")
    Integer width;

    @Option(names = "--height", description = "Height in pixels, a multiple of 8 (default: the model's).")
    Integer height;

    @Option(names = "--samples", defaultValue = "1", description = "Images to generate (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--clip-skip", paramLabel = "N", description = "Skip the last N CLIP layers (diffusers clip_skip).")
    Integer clipSkip;

    @Option(names = "--init-image", paramLabel = "PATH", description = "Start from this image (img2img).")
    Path initImage;

    @Option(names = "--strength", description = "How much of the init image to repaint, in (0, 1] (default: 0.8).")
    Double strength;

    @Option(names = "--mask", paramLabel = "PATH", description = "Inpainting mask for --init-image (white = repaint).")
    Path mask;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Output .png or .jpg (overwritten); with --samples N: FILE-1.png ... FILE-N.png. "
                    + "Default: vega-<seed>.png, never overwriting.")
    Path output;

    @Option(names = "--lora", paramLabel = "ID_OR_PATH[:WEIGHT]",
            description = "LoRA adapter to fuse (repeatable): a .safetensors file (kohya, diffusers or PEFT keys), a "
                    + "folder or a Hub repo id, with an optional weight (default 1), e.g. my_style.safetensors:0.8.")
    List<String> loras = new ArrayList<>();

    @Option(names = "--preset", paramLabel = "NAME",
            description = "vegart: Segmind VegaRT = the LCM-LoRA " + VegaRt.LORA_REPO + ", LCM scheduler, "
                    + VegaRt.STEPS + " steps, guidance 1 (options given explicitly win).")
    String preset;

    @Option(names = "--prompt-weighting",
            description = "AUTOMATIC1111 prompt syntax: (word), (word:1.3), [word], BREAK, and prompts longer than 75"
                    + " tokens encoded in chunks instead of truncated. A prompt without that syntax that fits in 75"
                    + " tokens gives the same image as without this option.")
    boolean promptWeighting;

    @Option(names = "--vae-tiling", description = "Decode (and, for --init-image, encode) in overlapping tiles blended"
            + " at the seams, like diffusers' enable_tiling: bounded memory for large images, small differences at"
            + " the seams. Only images larger than one tile are tiled.")
    boolean vaeTiling;

    @Option(names = "--vae-tile-size", paramLabel = "PX", description = "With --vae-tiling: the tile side in pixels"
            + " (a multiple of 4 x the VAE's scale factor, 32 for SDXL/Vega, at least 64; default: the VAE's"
            + " sample_size, 1024 for SDXL/Vega, so that 1024² images are only tiled with a smaller size such as 512).")
    Integer vaeTileSize;

    @Option(names = "--vae", paramLabel = "ID_OR_PATH", description = "Decode (and encode) with this autoencoder"
            + " instead of the model's own: an AutoencoderKL or AutoencoderTiny (TAESD, e.g. madebyollin/taesdxl)"
            + " diffusers folder or Hugging Face repo id.")
    String vae;

    @Option(names = "--preview", paramLabel = "FILE", description = "Write a small PNG of the image as it forms,"
            + " replaced atomically every --preview-interval steps (a tiny autoencoder when one is in use, else a"
            + " linear latent-to-RGB map; never the full VAE). The final image is the same with or without it.")
    Path preview;

    @Option(names = "--preview-interval", paramLabel = "N", defaultValue = "1",
            description = "With --preview: every N denoising steps (default: ${DEFAULT-VALUE}).")
    int previewInterval;

    @Option(names = "--preview-vae", paramLabel = "ID_OR_PATH", description = "With --preview: decode previews with"
            + " this tiny autoencoder (AutoencoderTiny, e.g. madebyollin/taesdxl for Vega/SDXL, madebyollin/taesd"
            + " for SD 1.5).")
    String previewVae;

    /** Reads the LoRA files (downloading repos) before the model is loaded; tests replace it. */
    BiFunction<List<LoraSpec>, DownloadListener, List<LoraAdapter>> loraLoader =
            (specs, progress) -> Loras.load(specs, HubCache.fromEnvironment(), progress);

    /** Loads a model, reporting any download; tests replace it with a fake pipeline. */
    private final BiFunction<String, DownloadListener, Pipeline> loader;
    /** Folder for default output names (the working directory). */
    Path workDir = Path.of("");
    /** Null = detect. */
    Boolean terminal;

    GenerateCommand() {
        this.loader = null; // Pipelines.load with --config
    }

    GenerateCommand(BiFunction<String, DownloadListener, Pipeline> loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean tty = terminal != null ? terminal : ProgressBar.isTerminal();
        // everything a user can get wrong is checked before a multi-gigabyte model is loaded
        String format = outputFormat(output);
        GenerationRequest.Builder b = GenerationRequest.builder(prompt).negativePrompt(negativePrompt).steps(steps)
                .guidanceScale(guidance).seed(seed).scheduler(scheduler).width(width).height(height).samples(samples)
                .clipSkip(clipSkip).guidanceRescale(guidanceRescale).schedulerOverrides(new SchedulerOverrides(
                        predictionType == null ? null : PredictionType.parse(predictionType.strip()), zeroSnr));
        if (strength != null && initImage == null) {
            throw new VegaException("--strength needs --init-image");
        }
        if (mask != null && initImage == null) {
            throw new VegaException("--mask needs --init-image");
        }
        if (vaeTileSize != null && !vaeTiling) {
            throw new VegaException("--vae-tile-size needs --vae-tiling");
        }
        if (vaeTileSize != null && (vaeTileSize < AutoencoderKL.MIN_TILE_SAMPLE_SIZE || vaeTileSize % 8 != 0)) {
            // the VAE's own scale factor is checked once it is loaded
            throw new VegaException("--vae-tile-size must be a multiple of 8 and at least "
                    + AutoencoderKL.MIN_TILE_SAMPLE_SIZE + ", got " + vaeTileSize);
        }
        if (previewInterval < 1) {
            throw new VegaException("--preview-interval must be at least 1, got " + previewInterval);
        }
        if (preview == null && (previewVae != null || spec.commandLine().getParseResult()
                .hasMatchedOption("--preview-interval"))) {
            throw new VegaException("--preview-interval and --preview-vae need --preview");
        }
        if (preview != null) {
            ImageFiles.checkWritable(preview);
        }
        if (initImage != null) {
            b.initImage(ImageFiles.read(initImage));
            if (strength != null) {
                b.strength(strength);
            }
        }
        if (mask != null) {
            b.mask(ImageFiles.read(mask));
        }
        List<LoraSpec> loraSpecs = new ArrayList<>();
        for (String l : loras) {
            loraSpecs.add(LoraSpec.parse(l));
        }
        if (preset != null) {
            if (!preset.strip().equalsIgnoreCase("vegart")) {
                throw new VegaException("unknown preset '" + preset + "' (known: vegart)");
            }
            var parsed = spec.commandLine().getParseResult();
            b.steps(parsed.hasMatchedOption("--steps") ? steps : VegaRt.STEPS)
                    .guidanceScale(parsed.hasMatchedOption("--guidance") ? guidance : VegaRt.GUIDANCE)
                    .scheduler(parsed.hasMatchedOption("--scheduler") ? scheduler : VegaRt.SCHEDULER);
            loraSpecs.addFirst(VegaRt.lora());
        }
        GenerationRequest request = b.build();
        // an output that cannot be written would otherwise only fail after the whole generation
        for (Path p : output != null ? outputPaths(0, request.samples(), format)
                : List.of(workDir.resolve(".vega-probe.png"))) {
            ImageFiles.checkWritable(p);
        }
        List<LoraAdapter> adapters = loraSpecs.isEmpty() ? List.of()
                : loraLoader.apply(loraSpecs, new DownloadProgress(err, tty));

        long t0 = System.nanoTime();
        err.println("loading " + model + " ...");
        err.flush();
        GenerationResult result;
        DownloadProgress download = new DownloadProgress(err, tty);
        try (Pipeline pipeline = loader != null ? loader.apply(model, download)
                : Pipelines.load(model, configs, download)) {
            err.printf(Locale.ROOT, "loaded %s in %.1f s%n", pipeline.info().name(), (System.nanoTime() - t0) / 1e9);
            err.flush();
            if (!adapters.isEmpty()) {
                if (pipeline.adaptableModules().isEmpty()) {
                    throw new VegaException("--lora and --preset need a diffusers pipeline, " + pipeline.info().name()
                            + " is not one");
                }
                // one-shot run: no copy of the original weights is kept
                Loras.fuse(pipeline, loraSpecs, adapters, false);
                err.println("fused " + adapters.size() + " LoRA adapter" + (adapters.size() == 1 ? "" : "s") + ": "
                        + loraSpecs);
                err.flush();
            }
            Pipeline run = withAutoencoders(pipeline, err, tty);
            if (vaeTiling) {
                if (!(run instanceof DiffusionPipeline dp
                        && dp.vae() instanceof VaeLatentAutoencoder(AutoencoderKL vae))) {
                    throw new VegaException("--vae-tiling needs a diffusers pipeline with an AutoencoderKL VAE, "
                            + pipeline.info().name() + " is not one");
                }
                if (vaeTileSize != null) {
                    vae.setTileSampleSize(vaeTileSize);
                }
                vae.setTiling(true);
            }
            if (promptWeighting) {
                if (!(run instanceof DiffusionPipeline)) {
                    throw new VegaException("--prompt-weighting needs a diffusers pipeline, " + pipeline.info().name()
                            + " is not one");
                }
                // the wrapper shares every model with the loaded pipeline; only the tokenizers are read again
                try (PipelineSource source = Pipelines.open(model, configs, DownloadListener.NONE)) {
                    run = WeightedPromptEncoder.enable((DiffusionPipeline) run, source,
                            WeightedPromptEncoder.Options.A1111);
                }
            }
            if (previewVae != null && run instanceof DiffusionPipeline dp) {
                run = dp.withPreviewAutoencoder(Autoencoders.load(previewVae, new DownloadProgress(err, tty)));
            }
            ProgressListener progress = new StepProgress(err, tty);
            if (preview != null) {
                progress = new PreviewFile(progress, preview, previewInterval);
            }
            result = run.generate(request, progress, new Cancellation());
        }
        GenerationResult.UsedParameters used = result.parameters();
        List<Path> paths = outputPaths(used.seed(), result.images().size(), format);
        String infotext = used.a1111Infotext();
        for (int i = 0; i < paths.size(); i++) {
            ImageFiles.write(result.images().get(i), infotext, paths.get(i));
        }
        out.println("seed: " + used.seed());
        for (Path p : paths) {
            out.println("wrote " + p);
        }
        out.printf(Locale.ROOT, "%d image%s %dx%d, %d steps %s, in %s%n", paths.size(), paths.size() == 1 ? "" : "s",
                used.width(), used.height(), used.steps(), used.scheduler(),
                ProgressBar.duration((System.nanoTime() - t0) / 1e9));
        out.flush();
        return 0;
    }

    /** "png" or "jpg" from the -o name (no extension = PNG); anything else is refused before the run. */
    static String outputFormat(Path output) {
        if (output == null) {
            return "png";
        }
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return "png";
        }
        return switch (name.substring(dot + 1)) {
            case "png" -> "png";
            case "jpg", "jpeg" -> name.substring(dot + 1);
            default -> throw new VegaException("cannot write " + output + ": use a .png or .jpg file name");
        };
    }

    /**
     * With {@code -o}: that exact file (or {@code name-1.ext ...} for several), overwritten. Without: a fresh
     * {@code vega-<seed>[-k].png} (or {@code vega-<seed>[_k]-1.png ...}) that overwrites nothing.
     */
    List<Path> outputPaths(long usedSeed, int count, String format) {
        if (output != null) {
            String name = output.getFileName().toString();
            int dot = name.lastIndexOf('.');
            String base = dot > 0 ? name.substring(0, dot) : name;
            String ext = dot > 0 ? name.substring(dot) : "." + format;
            Path shown = output.getParent();
            List<Path> paths = new ArrayList<>();
            if (count == 1) {
                paths.add(dot > 0 ? output : sibling(shown, base + ext));
            } else {
                for (int i = 1; i <= count; i++) {
                    paths.add(sibling(shown, base + "-" + i + ext));
                }
            }
            return paths;
        }
        String stem = "vega-" + Long.toUnsignedString(usedSeed);
        for (int k = 1; ; k++) {
            String base = k == 1 ? stem : stem + "_" + k;
            List<Path> paths = new ArrayList<>();
            if (count == 1) {
                paths.add(workDir.resolve(base + "." + format));
            } else {
                for (int i = 1; i <= count; i++) {
                    paths.add(workDir.resolve(base + "-" + i + "." + format));
                }
            }
            if (paths.stream().noneMatch(Files::exists)) {
                return paths;
            }
        }
    }

    /** The pipeline with {@code --vae} swapped in; the option needs a diffusers pipeline. */
    private Pipeline withAutoencoders(Pipeline pipeline, PrintWriter err, boolean tty) {
        if (vae == null && previewVae == null) {
            return pipeline;
        }
        if (!(pipeline instanceof DiffusionPipeline dp)) {
            throw new VegaException("--vae and --preview-vae need a diffusers pipeline, " + pipeline.info().name()
                    + " is not one");
        }
        if (vae == null) {
            return dp;
        }
        // a VAE-only single file carries no config: it takes that of the model's own AutoencoderKL
        VaeConfig own = dp.vae() instanceof VaeLatentAutoencoder(AutoencoderKL kl) ? kl.config() : null;
        LatentAutoencoder swapped = Autoencoders.load(vae, new DownloadProgress(err, tty), own);
        err.println("autoencoder: " + vae + (swapped.tiny() ? " (AutoencoderTiny)" : " (AutoencoderKL)"));
        err.flush();
        return dp.withVae(swapped);
    }

    private static Path sibling(Path parent, String name) {
        return parent == null ? Path.of(name) : parent.resolve(name);
    }

    /** Denoising steps as a bar with steps/s and ETA; the phases around them as lines. */
    private static final class StepProgress implements ProgressListener {
        private final PrintWriter err;
        private final ProgressBar bar;
        private boolean started;

        StepProgress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.bar = new ProgressBar(err, terminal, ProgressBar.Unit.STEPS);
        }

        @Override
        public void onProgress(ProgressEvent e) {
            switch (e.phase()) {
                case ENCODE_PROMPT -> {
                    err.println("encoding prompt ...");
                    err.flush();
                }
                case DENOISE -> {
                    if (!started) {
                        bar.start("denoise", e.total());
                        started = true;
                    }
                    bar.update(e.step(), e.stepsPerSecond());
                }
                case DECODE -> {
                    bar.finish();
                    err.println("decoding ...");
                    err.flush();
                }
                case DONE -> bar.finish();
            }
        }
    }
}
