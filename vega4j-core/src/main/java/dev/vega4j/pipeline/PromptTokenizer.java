package dev.vega4j.pipeline;

/**
 * Turns a prompt into the fixed-length id sequence a CLIP text encoder reads: what diffusers gets from
 * {@code tokenizer(prompt, padding="max_length", max_length=model_max_length, truncation=True).input_ids}
 * ({@code [BOS] first 75 tokens [EOS] pad...}).
 */
@FunctionalInterface
public interface PromptTokenizer {
    int[] encodePadded(String text);
}
