package dev.vega4j.server;

import dev.vega4j.pipeline.LatentAutoencoder;
import dev.vega4j.pipeline.Pipeline;
import java.util.Map;

/**
 * What the operator makes available per request, beyond the models themselves.
 *
 * @param loras           the LoRA adapters requests may name ({@link LoraLibrary#empty()} = none)
 * @param promptWeighting for each model slug that supports it, the same model with AUTOMATIC1111's prompt handling
 *                        ({@code WeightedPromptEncoder.enable(pipeline, folder, Options.A1111)}: shares every weight,
 *                        only the prompt encoding differs). Models missing here refuse {@code prompt_weighting}, and
 *                        the A1111 routes encode their prompts as diffusers does.
 * @param autoencoders    autoencoders by the name requests give in {@code "vae"} ({@code vega serve --vae NAME=...})
 */
public record RequestFeatures(LoraLibrary loras, Map<String, Pipeline> promptWeighting,
        Map<String, LatentAutoencoder> autoencoders) {
    public static final RequestFeatures NONE = new RequestFeatures(LoraLibrary.empty(), Map.of());

    public RequestFeatures {
        loras = loras == null ? LoraLibrary.empty() : loras;
        promptWeighting = promptWeighting == null ? Map.of() : Map.copyOf(promptWeighting);
        autoencoders = autoencoders == null ? Map.of() : Map.copyOf(autoencoders);
    }

    public RequestFeatures(LoraLibrary loras, Map<String, Pipeline> promptWeighting) {
        this(loras, promptWeighting, Map.of());
    }
}
