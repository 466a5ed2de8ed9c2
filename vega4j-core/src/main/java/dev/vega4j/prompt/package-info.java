/**
 * Opt-in AUTOMATIC1111 prompt handling: emphasis syntax ({@link dev.vega4j.prompt.PromptAttention}), 75-token chunking
 * of long prompts ({@link dev.vega4j.prompt.PromptChunker}) and the {@link dev.vega4j.prompt.WeightedPromptEncoder}
 * that applies both around a pipeline's diffusers {@code encode_prompt}. Nothing here is used unless a caller wraps
 * the pipeline's prompt encoder; the default stays identical to diffusers.
 */
package dev.vega4j.prompt;
