package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.io.Weights;
import dev.vega4j.tokenizer.ClipTokenizer;

/**
 * Where a pipeline's parts come from: a diffusers folder ({@link FolderSource}) or a single-file checkpoint
 * ({@link SingleFileSource}). {@link PipelineLoader} builds the same {@link DiffusionPipeline} from either, so a model
 * converted between the two gives the same images.
 *
 * <p>Components are named as in a diffusers folder: {@code unet}, {@code vae}, {@code text_encoder},
 * {@code text_encoder_2}, {@code scheduler}; tokenizers {@code tokenizer}, {@code tokenizer_2}.
 */
public interface PipelineSource extends AutoCloseable {
    String UNET = "unet";
    String VAE = "vae";
    String TEXT_ENCODER = "text_encoder";
    String TEXT_ENCODER_2 = "text_encoder_2";
    String SCHEDULER = "scheduler";

    /** A readable model name (folder, repo or file name). */
    String name();

    Pipeline.Family family();

    /** {@code force_zeros_for_empty_prompt} of the SDXL pipelines (default true). */
    boolean forceZerosForEmptyPrompt();

    /** A component's diffusers config JSON. */
    JsonNode config(String component);

    /** Where {@link #config} comes from, for messages. */
    String configSource(String component);

    /** A model component's weights under diffusers names; valid until {@link #close}. */
    Weights weights(String component);

    ClipTokenizer tokenizer(String name);

    /** Closes the weight files opened (weights kept mapped by the models stay valid). */
    @Override
    void close();
}
