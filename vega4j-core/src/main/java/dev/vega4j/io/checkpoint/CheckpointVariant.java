package dev.vega4j.io.checkpoint;

import dev.vega4j.VegaException;
import java.util.Set;

/**
 * The model families a single-file checkpoint can hold, told apart by their weight names the way stable-diffusion.cpp
 * ({@code model.cpp}, {@code get_sd_version}) and ComfyUI ({@code model_detection.py}) do: SDXL-family files have a
 * second text encoder ({@code conditioner.embedders.1}); among them SSD-1B and Segmind Vega have no
 * {@code middle_block.1} (their mid block is a single ResNet), and Vega, unlike SSD-1B, no second transformer layer in
 * {@code output_blocks.3}.
 */
public enum CheckpointVariant {
    SD15("sd15", false),
    SDXL("sdxl", true),
    SSD_1B("ssd1b", true),
    VEGA("vega", true);

    static final String UNET = "model.diffusion_model.";

    private final String id;
    private final boolean xl;

    CheckpointVariant(String id, boolean xl) {
        this.id = id;
        this.xl = xl;
    }

    /** Short name, also the folder of the bundled configs ({@code dev/vega4j/configs/<id>/}). */
    public String id() {
        return id;
    }

    /** True for the SDXL family (two text encoders, {@code conditioner.embedders.*}). */
    public boolean xl() {
        return xl;
    }

    /** Detects the family from the tensor names of a single-file checkpoint. */
    public static CheckpointVariant detect(Set<String> names, String source) {
        boolean unet = false, second = false, mid1 = false, out311 = false, sd1Clip = false, sd2Clip = false,
                refinerClip = false, diffusersLike = false;
        for (String n : names) {
            if (n.startsWith(UNET)) {
                unet = true;
                mid1 |= n.startsWith(UNET + "middle_block.1.");
                out311 |= n.startsWith(UNET + "output_blocks.3.1.transformer_blocks.1.");
            }
            second |= n.startsWith("conditioner.embedders.1.");
            refinerClip |= n.startsWith("conditioner.embedders.0.model.");
            sd1Clip |= n.startsWith("cond_stage_model.transformer.");
            sd2Clip |= n.startsWith("cond_stage_model.model.");
            diffusersLike |= n.startsWith("down_blocks.") || n.startsWith("unet.down_blocks.")
                    || n.startsWith("text_model.") || n.startsWith("lora_") || n.contains(".lora_");
        }
        if (!unet) {
            throw new VegaException(source + ": not a single-file Stable Diffusion checkpoint (no 'model.diffusion_model.*'"
                    + " UNet weights)" + (diffusersLike
                            ? "; it looks like a diffusers component or a LoRA, load the diffusers folder instead" : ""));
        }
        if (second) {
            if (!mid1) {
                return out311 ? SSD_1B : VEGA;
            }
            return SDXL;
        }
        if (refinerClip) {
            throw new VegaException(source + ": SDXL refiner checkpoints (OpenCLIP only) are not supported");
        }
        if (sd2Clip) {
            throw new VegaException(source + ": Stable Diffusion 2.x checkpoints (OpenCLIP ViT-H) are not supported");
        }
        if (sd1Clip) {
            return SD15;
        }
        throw new VegaException(source + ": has a UNet but no text encoder this loader knows (expected"
                + " 'cond_stage_model.transformer.*' or 'conditioner.embedders.*')");
    }
}
