package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/**
 * What {@code encode_prompt} returns, already repeated {@code num_images_per_prompt} times along the batch.
 *
 * @param promptEmbeds                 [B, 77, D] text conditioning
 * @param negativePromptEmbeds         [B, 77, D], or null without classifier-free guidance
 * @param pooledPromptEmbeds           [B, P] SDXL's pooled embedding (text_encoder_2 text_embeds); null for SD 1.5
 * @param negativePooledPromptEmbeds   [B, P] or null
 */
public record PromptEmbeddings(Tensor promptEmbeds, Tensor negativePromptEmbeds, Tensor pooledPromptEmbeds,
        Tensor negativePooledPromptEmbeds) {

    /** The CFG batch {@code [negative, positive]} diffusers feeds the UNet, or the positive embeddings alone. */
    public Tensor unetEncoderHiddenStates(boolean cfg) {
        return cfg ? Tensor.cat0(negativePromptEmbeds, promptEmbeds) : promptEmbeds;
    }

    /** SDXL's {@code add_text_embeds} in the same batch layout; null for SD 1.5. */
    public Tensor unetTextEmbeds(boolean cfg) {
        if (pooledPromptEmbeds == null) {
            return null;
        }
        return cfg ? Tensor.cat0(negativePooledPromptEmbeds, pooledPromptEmbeds) : pooledPromptEmbeds;
    }
}
