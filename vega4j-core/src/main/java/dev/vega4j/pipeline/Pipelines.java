package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Entry point for loading a model: {@code Pipelines.load("segmind/Segmind-Vega")} or a local diffusers folder. */
public final class Pipelines {
    private Pipelines() {}

    /**
     * Loads a diffusers pipeline folder (its {@code model_index.json} decides SDXL family or SD 1.5) or, for a Hugging
     * Face repo id, the snapshot in the huggingface_hub cache.
     */
    public static Pipeline load(String modelIdOrPath) {
        if (modelIdOrPath == null || modelIdOrPath.isBlank()) {
            throw new VegaException("no model given");
        }
        return PipelineLoader.load(resolve(modelIdOrPath.strip()));
    }

    static Path resolve(String model) {
        Path p;
        try {
            p = Path.of(model);
        } catch (InvalidPathException e) {
            p = null;
        }
        if (p != null && Files.isDirectory(p)) {
            return p;
        }
        if (p != null && Files.isRegularFile(p)) {
            throw new VegaException(model + " is a single file; load a diffusers pipeline folder (model_index.json"
                    + " with unet/, vae/, text_encoder/, tokenizer/ ...) instead");
        }
        throw new VegaException("model not found: " + model + " (not a local folder)");
    }
}
