package dev.vega4j.pipeline;

import dev.vega4j.models.clip.ClipTextEncoder;
import dev.vega4j.models.unet.UNet2DConditionModel;
import java.util.List;

/**
 * The modules of a loaded pipeline that adapters (LoRA) patch: its UNet and the CLIP text encoders its
 * {@code encode_prompt} runs. {@link Pipeline#adaptableModules()} offers them, so a caller (the server) can tell
 * whether a model takes adapters and build {@code dev.vega4j.lora.LoraTargets} from them without knowing the
 * pipeline's class; it lives on the pipeline side because {@code dev.vega4j.lora} depends on the pipeline, not the
 * other way round.
 *
 * @param unet         the denoising UNet
 * @param textEncoders diffusers' {@code text_encoder} then (SDXL) {@code text_encoder_2}; empty when the prompt
 *                     encoder runs none vega4j can patch
 */
public record AdaptableModules(UNet2DConditionModel unet, List<ClipTextEncoder> textEncoders) {
    public AdaptableModules {
        if (unet == null) {
            throw new IllegalArgumentException("adaptable modules need the UNet");
        }
        textEncoders = List.copyOf(textEncoders);
    }
}
