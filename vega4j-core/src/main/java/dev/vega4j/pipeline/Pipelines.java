package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.pipeline.folder.PipelineFolder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point for loading a model: {@code Pipelines.load("segmind/Segmind-Vega")}, a local diffusers folder, or a
 * single-file checkpoint ({@code model.safetensors}, A1111 / ComfyUI layout).
 */
public final class Pipelines {
    private Pipelines() {}

    /**
     * Loads a diffusers pipeline folder (its {@code model_index.json} decides SDXL family or SD 1.5), a single-file
     * checkpoint (family detected from its tensor names, bundled configs) or, for a Hugging Face repo id
     * ({@code org/name[@revision]}), the snapshot in the huggingface_hub cache, downloaded first when missing.
     */
    public static Pipeline load(String modelIdOrPath) {
        return load(modelIdOrPath, null, DownloadListener.NONE);
    }

    /**
     * Like {@link #load(String)}; {@code configs} (null = none) is a diffusers folder or Hub repo id whose configs go
     * with a single-file model instead of the bundled ones (and whose VAE and text encoders complete a UNet-only file).
     */
    public static Pipeline load(String modelIdOrPath, String configs, DownloadListener listener) {
        try (PipelineSource source = open(modelIdOrPath, configs, listener)) {
            return PipelineLoader.load(source);
        }
    }

    /**
     * The parts of a model without building it (see {@link #load(String, String, DownloadListener)}): a
     * {@link FolderSource} or a {@link SingleFileSource}.
     */
    public static PipelineSource open(String modelIdOrPath, String configs, DownloadListener listener) {
        if (modelIdOrPath == null || modelIdOrPath.isBlank()) {
            throw new VegaException("no model given");
        }
        HubCache hub = HubCache.fromEnvironment();
        Path model = hub.resolve(modelIdOrPath.strip(), listener);
        if (Files.isRegularFile(model)) {
            return SingleFileSource.open(model, configs == null ? null : configFolder(hub, model, configs, listener));
        }
        if (configs != null) {
            throw new VegaException("configs (" + configs + ") only go with a single-file model; " + modelIdOrPath
                    + " is a diffusers folder, which has its own");
        }
        return new FolderSource(PipelineFolder.open(model));
    }

    /**
     * The folder of {@code configs}: a local folder as is; of a Hub repo only the configs and tokenizers when the file
     * is a whole pipeline, the whole pipeline when it holds only a UNet (its VAE and text encoders are needed).
     */
    private static Path configFolder(HubCache hub, Path file, String configs, DownloadListener listener) {
        boolean unetOnly;
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            unetOnly = w.allNames().stream().noneMatch(n -> n.startsWith("first_stage_model."))
                    || w.allNames().stream().noneMatch(n -> n.startsWith("cond_stage_model.")
                            || n.startsWith("conditioner."));
        }
        Path dir = unetOnly ? hub.resolve(configs.strip(), listener) : hub.resolveConfigs(configs.strip(), listener);
        if (!Files.isDirectory(dir)) {
            throw new VegaException("configs must be a diffusers folder or Hub repo id, " + configs + " is a file");
        }
        return dir;
    }
}
