package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.pipeline.folder.PipelineFolder;

/**
 * What a pipeline folder's {@code model_index.json} says about the pipeline itself: the family (an SDXL-style
 * pipeline class or a second text encoder means SDXL; other StableDiffusion pipelines are SD 1.x) and
 * {@code force_zeros_for_empty_prompt} (default true, as in StableDiffusionXLPipeline's constructor).
 */
public record ModelIndex(String className, Pipeline.Family family, boolean forceZerosForEmptyPrompt) {

    public static ModelIndex of(PipelineFolder folder) {
        String cls = folder.className();
        JsonNode root = folder.modelIndex();
        Pipeline.Family family;
        if (cls.startsWith("StableDiffusionXL") || folder.has("text_encoder_2")) {
            family = Pipeline.Family.SDXL;
        } else if (cls.startsWith("StableDiffusion")) {
            family = Pipeline.Family.SD15;
        } else {
            throw new VegaException(folder.dir() + ": pipeline class " + cls + " is not supported (only"
                    + " StableDiffusionPipeline and StableDiffusionXLPipeline folders: SD 1.x, SDXL, Segmind Vega,"
                    + " SSD-1B)");
        }
        return new ModelIndex(cls, family, root.path("force_zeros_for_empty_prompt").asBoolean(true));
    }
}
