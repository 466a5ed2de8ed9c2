package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import dev.vega4j.hub.HubCache;
import java.nio.file.Files;
import java.nio.file.Path;

/** Entry point for loading a model: {@code Pipelines.load("segmind/Segmind-Vega")} or a local diffusers folder. */
public final class Pipelines {
    private Pipelines() {}

    /**
     * Loads a diffusers pipeline folder (its {@code model_index.json} decides SDXL family or SD 1.5) or, for a Hugging
     * Face repo id ({@code org/name[@revision]}), the snapshot in the huggingface_hub cache, downloaded first when missing.
     */
    public static Pipeline load(String modelIdOrPath) {
        if (modelIdOrPath == null || modelIdOrPath.isBlank()) {
            throw new VegaException("no model given");
        }
        return PipelineLoader.load(resolve(modelIdOrPath.strip()));
    }

    /** A local folder as is; a repo id through the Hugging Face cache, downloading when missing (see {@link HubCache}). */
    static Path resolve(String model) {
        Path p = HubCache.fromEnvironment().resolve(model);
        if (Files.isRegularFile(p)) {
            throw new VegaException(model + " is a single file; load a diffusers pipeline folder (model_index.json"
                    + " with unet/, vae/, text_encoder/, tokenizer/ ...) instead");
        }
        return p;
    }
}
