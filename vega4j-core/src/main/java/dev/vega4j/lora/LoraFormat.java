package dev.vega4j.lora;

/** The key layouts of LoRA files vega4j reads. */
public enum LoraFormat {
    /**
     * kohya-ss / AUTOMATIC1111: {@code lora_unet_<module path with '_'>.lora_down.weight}, {@code .lora_up.weight},
     * {@code .alpha}; text encoders {@code lora_te1_...} / {@code lora_te2_...} (SD 1.x: {@code lora_te_...}). The UNet
     * path may use diffusers module names or the original (SGM/LDM) block names ({@code input_blocks_4_1_...}).
     */
    KOHYA,
    /**
     * diffusers' pre-PEFT layout: {@code unet.<path>.lora.down.weight} / {@code .lora.up.weight},
     * {@code text_encoder[_2].<path>.lora_linear_layer.down.weight} / {@code .up.weight}, and the older attention
     * processor names ({@code <attn>.processor.to_q_lora.down.weight}); optional {@code <path>.alpha}.
     */
    DIFFUSERS,
    /** PEFT: {@code <prefix>.<path>.lora_A.weight} (down) / {@code .lora_B.weight} (up). */
    PEFT
}
