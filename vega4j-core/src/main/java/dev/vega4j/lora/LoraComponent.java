package dev.vega4j.lora;

/** The pipeline component an adapter module patches, named as diffusers' LoRA files prefix it. */
public enum LoraComponent {
    UNET("unet"),
    TEXT_ENCODER("text_encoder"),
    TEXT_ENCODER_2("text_encoder_2");

    private final String diffusersPrefix;

    LoraComponent(String diffusersPrefix) {
        this.diffusersPrefix = diffusersPrefix;
    }

    /** {@code unet}, {@code text_encoder}, {@code text_encoder_2}. */
    public String diffusersPrefix() {
        return diffusersPrefix;
    }

    public boolean textEncoder() {
        return this != UNET;
    }

    public static LoraComponent ofDiffusersPrefix(String p) {
        for (LoraComponent c : values()) {
            if (c.diffusersPrefix.equals(p)) {
                return c;
            }
        }
        return null;
    }
}
