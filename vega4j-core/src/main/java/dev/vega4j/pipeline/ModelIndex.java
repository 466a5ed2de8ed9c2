package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vega4j.VegaException;
import dev.vega4j.config.JsonErrors;
import dev.vega4j.pipeline.folder.PipelineFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a pipeline folder's {@code model_index.json} says about the pipeline itself: the family (an SDXL-style
 * pipeline class or a second text encoder means SDXL; other StableDiffusion pipelines are SD 1.x) and
 * {@code force_zeros_for_empty_prompt} (default true, as in StableDiffusionXLPipeline's constructor).
 */
public record ModelIndex(Path dir, String className, Pipeline.Family family, boolean forceZerosForEmptyPrompt) {

    /** From an opened (and checked) pipeline folder. */
    public static ModelIndex of(PipelineFolder folder) {
        return from(folder.dir(), folder.modelIndex(), folder.className(), folder.has("text_encoder_2"));
    }

    /** Reads {@code model_index.json} alone (no component checks). */
    public static ModelIndex read(Path dir) {
        Path file = dir.resolve("model_index.json");
        if (!Files.isRegularFile(file)) {
            throw new VegaException(dir + " is not a diffusers pipeline folder (no model_index.json)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new VegaException(file + ": not readable JSON: " + JsonErrors.describe(e), e);
        }
        boolean te2 = root.has("text_encoder_2") && !root.get("text_encoder_2").path(0).isNull();
        return from(dir, root, root.path("_class_name").asText(""), te2);
    }

    private static ModelIndex from(Path dir, JsonNode root, String cls, boolean hasTextEncoder2) {
        Pipeline.Family family;
        if (cls.startsWith("StableDiffusionXL") || hasTextEncoder2) {
            family = Pipeline.Family.SDXL;
        } else if (cls.startsWith("StableDiffusion") || cls.isEmpty()) {
            family = Pipeline.Family.SD15;
        } else {
            throw new VegaException(dir + ": pipeline class " + cls + " is not supported (only"
                    + " StableDiffusionPipeline and StableDiffusionXLPipeline folders: SD 1.x, SDXL, Segmind Vega,"
                    + " SSD-1B)");
        }
        return new ModelIndex(dir, cls, family, root.path("force_zeros_for_empty_prompt").asBoolean(true));
    }

    /** A component's folder ({@code unet}, {@code tokenizer_2}, ...), which must exist. */
    public Path component(String name) {
        Path p = dir.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new VegaException(dir + ": the pipeline folder has no " + name + "/ component");
        }
        return p;
    }
}
