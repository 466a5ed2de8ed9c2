package dev.vega4j.cli;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.io.DType;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.checkpoint.PipelineConfigs;
import dev.vega4j.io.checkpoint.SingleFileCheckpoint;
import dev.vega4j.io.checkpoint.SingleFileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vega convert IN OUT}: a diffusers pipeline folder to one single-file checkpoint (the A1111 / ComfyUI
 * layout) or back. Only names and layouts change, so a model converted at its own precision (or from fp32) gives the
 * same images.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert between a diffusers pipeline folder and a single-file checkpoint (UNet, VAE and text"
                + " encoders in one .safetensors, as AUTOMATIC1111 and ComfyUI keep them), either way.",
            "IN a folder or Hub repo id -> OUT a .safetensors file; IN a .safetensors file -> OUT a new diffusers"
                + " folder (configs: bundled for the detected family, or --config)."})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "Diffusers folder, Hub repo id, or .safetensors file.")
    String in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .safetensors file or folder to write.")
    Path out;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16",
            description = "Precision of the written weights (default: that of IN's UNet weights).")
    String dtype;

    @Option(names = "--config", paramLabel = "DIR_OR_ID",
            description = "For a single-file IN: the configs and tokenizers of this diffusers folder or Hub repo"
                    + " instead of the bundled real-size ones (models of other shapes).")
    String configs;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        DType target = dtype == null ? null : parseDtype(dtype);
        HubCache hub = HubCache.fromEnvironment();
        Path input = hub.resolve(in, new DownloadProgress(err, ProgressBar.isTerminal()));
        long t0 = System.nanoTime();
        if (Files.isDirectory(input)) {
            if (configs != null) {
                throw new VegaException("--config only goes with a single-file IN; " + in + " has its own configs");
            }
            if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                throw new VegaException("OUT must be a .safetensors file when IN is a folder, not " + out);
            }
            DType d = target != null ? target : weightsDtype(WeightFiles.resolveModel(input.resolve("unet"),
                    WeightFiles.Library.DIFFUSERS, "component 'unet'"));
            err.println("converting " + input + " to " + out + " (" + d + ") ...");
            err.flush();
            SingleFileWriter.convertFolder(input, out, d);
        } else {
            requireNewFolder(out);
            Path configDir = configs == null ? null : hub.resolveConfigs(configs, DownloadListener.NONE);
            PipelineConfigs cfg = configDir == null ? null : PipelineConfigs.fromFolder(configDir);
            try (SingleFileCheckpoint ckpt = SingleFileCheckpoint.open(input, cfg)) {
                DType d = target != null ? target : weightsDtype(input);
                err.println("converting " + input + " (" + ckpt.variant().id() + ") to the diffusers folder " + out
                        + " (" + d + ") ...");
                err.flush();
                SingleFileWriter.toDiffusersFolder(ckpt, out, d, configDir);
            }
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s in %.1f s%n", out, (System.nanoTime() - t0) / 1e9);
        spec.commandLine().getOut().flush();
        return 0;
    }

    static DType parseDtype(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "fp32", "f32", "float32" -> DType.F32;
            case "fp16", "f16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new VegaException("--dtype must be fp32, fp16 or bf16, not '" + s + "'");
        };
    }

    /** The dtype of a weights file's first floating-point tensor (F32 when it has none of F32/F16/BF16). */
    private static DType weightsDtype(Path file) {
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            for (String n : w.allNames()) {
                DType d = w.info(n).dtype();
                if (d == DType.F32 || d == DType.F16 || d == DType.BF16) {
                    return d;
                }
            }
        }
        return DType.F32;
    }

    private static void requireNewFolder(Path dir) {
        if (Files.isRegularFile(dir)) {
            throw new VegaException("OUT must be a folder when IN is a single file; " + dir + " is a file");
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new VegaException(dir + " is not empty; convert into a new folder");
                }
            } catch (IOException e) {
                throw new VegaException(dir + ": cannot read: " + e.getMessage(), e);
            }
        }
    }
}
