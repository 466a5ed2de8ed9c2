package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A diffusers pipeline folder's {@code model_index.json}: which pipeline class (SDXL family or SD 1.x) and the
 * pipeline-level config ({@code force_zeros_for_empty_prompt}, default true as in StableDiffusionXLPipeline).
 */
public record ModelIndex(Path dir, String className, Pipeline.Family family, boolean forceZerosForEmptyPrompt) {

    public static ModelIndex read(Path dir) {
        Path file = dir.resolve("model_index.json");
        if (!Files.isRegularFile(file)) {
            throw new VegaException(dir + " is not a diffusers pipeline folder (no model_index.json)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new VegaException(file + ": not readable JSON: " + e.getMessage(), e);
        }
        String cls = root.path("_class_name").asText("");
        Pipeline.Family family;
        if (cls.startsWith("StableDiffusionXL") || root.has("text_encoder_2") && !root.get("text_encoder_2").path(0).isNull()) {
            family = Pipeline.Family.SDXL;
        } else if (cls.startsWith("StableDiffusion") || cls.isEmpty()) {
            family = Pipeline.Family.SD15;
        } else {
            throw new VegaException(file + ": pipeline class " + cls + " is not supported (only StableDiffusionPipeline"
                    + " and StableDiffusionXLPipeline folders: SD 1.x, SDXL, Segmind Vega, SSD-1B)");
        }
        boolean forceZeros = root.path("force_zeros_for_empty_prompt").asBoolean(true);
        return new ModelIndex(dir, cls, family, forceZeros);
    }

    public Path component(String name) {
        Path p = dir.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new VegaException(dir + ": the pipeline folder has no " + name + "/ component");
        }
        return p;
    }
}
