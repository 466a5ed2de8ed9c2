package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import java.util.List;

/** The pipeline components a single-file checkpoint holds and where each lives in it. */
final class Components {
    static final String UNET = "unet";
    static final String VAE = "vae";
    static final String TEXT_ENCODER = "text_encoder";
    static final String TEXT_ENCODER_2 = "text_encoder_2";

    static final String SD_CLIP = "cond_stage_model.transformer.";
    static final String XL_CLIP = "conditioner.embedders.0.transformer.";
    static final String XL_OPEN_CLIP = "conditioner.embedders.1.model.";

    private Components() {}

    static List<String> of(boolean xl) {
        return xl ? List.of(UNET, VAE, TEXT_ENCODER, TEXT_ENCODER_2) : List.of(UNET, VAE, TEXT_ENCODER);
    }

    static String prefix(String component, boolean xl) {
        return switch (component) {
            case UNET -> CheckpointVariant.UNET;
            case VAE -> "first_stage_model.";
            case TEXT_ENCODER -> xl ? XL_CLIP : SD_CLIP;
            case TEXT_ENCODER_2 -> XL_OPEN_CLIP;
            default -> throw new IllegalArgumentException("unknown component " + component);
        };
    }

    static NameMapping mapping(String component, PipelineConfigs configs, boolean textModelLevel) {
        return switch (component) {
            case UNET -> Mappings.unet(UNetLayout.fromConfig(configs.required(PipelineConfigs.UNET)));
            case VAE -> Mappings.vae(vaeLevels(configs.required(PipelineConfigs.VAE)));
            case TEXT_ENCODER -> Mappings.clip(textModelLevel);
            case TEXT_ENCODER_2 -> Mappings.openClip();
            default -> throw new IllegalArgumentException("unknown component " + component);
        };
    }

    static int vaeLevels(JsonNode vae) {
        JsonNode boc = vae.get("block_out_channels");
        if (boc == null || !boc.isArray() || boc.isEmpty()) {
            return 1; // diffusers' AutoencoderKL default (64,)
        }
        return boc.size();
    }

    static void requireKnown(String component, boolean xl) {
        if (!of(xl).contains(component)) {
            throw new VegaException("a " + (xl ? "SDXL-family" : "SD 1.x") + " checkpoint has no component '"
                    + component + "' (it has " + of(xl) + ")");
        }
    }
}
