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

    /** The families this loader knows, for messages. */
    static final String KNOWN = "known: SD 1.5 (model.diffusion_model.* with cond_stage_model.transformer.*), SDXL,"
            + " SSD-1B and Segmind Vega (model.diffusion_model.* with label_emb.* and conditioner.embedders.*)";

    /**
     * Detects the family from the tensor names of a single-file checkpoint. A file with only a UNet (no text encoder)
     * is told apart by the UNet alone: the SDXL family has a label embedding ({@code label_emb.0}, diffusers'
     * {@code add_embedding}).
     */
    public static CheckpointVariant detect(Set<String> names, String source) {
        boolean unet = false, second = false, mid1 = false, out311 = false, sd1Clip = false, sd2Clip = false,
                refinerClip = false, labelEmb = false, diffusersLike = false;
        for (String n : names) {
            if (n.startsWith(UNET)) {
                unet = true;
                mid1 |= n.startsWith(UNET + "middle_block.1.");
                out311 |= n.startsWith(UNET + "output_blocks.3.1.transformer_blocks.1.");
                labelEmb |= n.startsWith(UNET + "label_emb.");
            }
            second |= n.startsWith("conditioner.embedders.1.");
            refinerClip |= n.startsWith("conditioner.embedders.0.model.");
            sd1Clip |= n.startsWith("cond_stage_model.transformer.");
            sd2Clip |= n.startsWith("cond_stage_model.model.");
            diffusersLike |= n.startsWith("down_blocks.") || n.startsWith("unet.down_blocks.")
                    || n.startsWith("text_model.") || n.startsWith("lora_") || n.contains(".lora_");
        }
        if (!unet) {
            throw new VegaException(source + ": not a single-file Stable Diffusion checkpoint: no"
                    + " 'model.diffusion_model.*' UNet weights, found " + found(names) + " ("
                    + KNOWN + ")" + (diffusersLike
                            ? "; it looks like a diffusers component or a LoRA, load the diffusers folder instead" : ""));
        }
        if (refinerClip && !second) {
            throw new VegaException(source + ": SDXL refiner checkpoints (OpenCLIP only) are not supported (" + KNOWN + ")");
        }
        if (sd2Clip) {
            throw new VegaException(source + ": Stable Diffusion 2.x checkpoints (OpenCLIP ViT-H) are not supported ("
                    + KNOWN + ")");
        }
        if (second || labelEmb) {
            if (!mid1) {
                return out311 ? SSD_1B : VEGA;
            }
            return SDXL;
        }
        return SD15; // with cond_stage_model.transformer.* or a UNet-only file
    }

    /** The first two name segments of the tensors, with counts, for messages ("first_stage_model.decoder (123)"). */
    static String found(Set<String> names) {
        java.util.Map<String, Integer> groups = new java.util.TreeMap<>();
        for (String n : names) {
            String[] p = n.split("\\.", 3);
            groups.merge(p.length > 2 ? p[0] + "." + p[1] : n, 1, Integer::sum);
        }
        if (groups.isEmpty()) {
            return "no tensors";
        }
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (var e : groups.entrySet()) {
            if (shown++ == 6) {
                sb.append(", ... (").append(groups.size()).append(" groups)");
                break;
            }
            sb.append(shown > 1 ? ", " : "").append(e.getKey()).append(".* (").append(e.getValue()).append(')');
        }
        return sb.toString();
    }
}
