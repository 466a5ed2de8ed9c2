package dev.vega4j.pipeline;

import dev.vega4j.models.clip.ClipTextEncoder;
import java.util.List;

/** A pipeline's {@code encode_prompt}: SDXL's two-encoder version or SD 1.5's single encoder. */
public interface PromptEncoder {

    /**
     * @param prompt          the prompt
     * @param prompt2         SDXL's prompt for text_encoder_2 (null or "" = prompt); ignored by SD 1.5
     * @param negativePrompt  null = not given (SDXL with force_zeros_for_empty_prompt: zeros; SD 1.5: "")
     * @param negativePrompt2 SDXL's negative prompt for text_encoder_2 (null or "" = negativePrompt)
     * @param numImagesPerPrompt batch repetition
     * @param cfg             whether classifier-free guidance needs negative embeddings
     * @param clipSkip        diffusers' clip_skip; null = none
     */
    PromptEmbeddings encode(String prompt, String prompt2, String negativePrompt, String negativePrompt2,
            int numImagesPerPrompt, boolean cfg, Integer clipSkip);

    /**
     * The CLIP text encoders this runs, in diffusers' order ({@code text_encoder}, {@code text_encoder_2}): what
     * LoRA adapters patch besides the UNet. Empty for an encoder without such modules.
     */
    default List<ClipTextEncoder> textEncoders() {
        return List.of();
    }
}
