package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.io.Weights;
import java.util.Set;
import java.util.TreeSet;

/**
 * A stand-alone VAE file (the {@code *.vae.safetensors} / {@code sdxl_vae.safetensors} files A1111 and ComfyUI swap
 * in) under diffusers names: the LDM layout ({@code encoder.down.0.block.0...}, with or without the
 * {@code first_stage_model.} prefix) renamed like {@code convert_ldm_vae_checkpoint} does, or a diffusers
 * {@code AutoencoderKL} file as it is.
 */
public final class LdmVae {
    private static final String PREFIX = "first_stage_model.";

    private LdmVae() {}

    /** True when the names look like an LDM VAE rather than a diffusers one. */
    public static boolean isLdmVae(Set<String> names) {
        return names.stream().anyMatch(n -> n.startsWith("encoder.mid.attn_1.") || n.startsWith("decoder.mid.block_1.")
                || n.startsWith(PREFIX + "decoder."));
    }

    /** True when the names are a diffusers {@code AutoencoderKL}'s. */
    public static boolean isDiffusersVae(Set<String> names) {
        return names.stream().anyMatch(n -> n.startsWith("decoder.up_blocks.") || n.startsWith("decoder.mid_block."));
    }

    /**
     * The VAE under diffusers names; {@code vaeConfig} is the diffusers {@code vae/config.json} it is used with (its
     * {@code block_out_channels} gives the number of levels).
     */
    public static Weights view(Weights ldm, JsonNode vaeConfig) {
        return ldmView(ldm, Components.vaeLevels(vaeConfig));
    }

    /**
     * A VAE-only file in either layout under diffusers names ({@code levels} = {@code len(block_out_channels)} of the
     * VAE config it is used with); anything else fails naming what the file holds.
     */
    public static Weights anyLayout(Weights file, int levels) {
        Set<String> names = file.allNames();
        if (isLdmVae(names)) {
            return ldmView(file, levels);
        }
        if (isDiffusersVae(names)) {
            return file;
        }
        throw new VegaException(file.source() + ": not a VAE file: expected LDM names ('decoder.mid.block_1.*',"
                + " optionally under 'first_stage_model.') or diffusers AutoencoderKL names ('decoder.up_blocks.*'),"
                + " found " + CheckpointVariant.found(names));
    }

    private static Weights ldmView(Weights ldm, int levels) {
        if (!isLdmVae(ldm.allNames())) {
            throw new VegaException(ldm.source() + ": not a VAE in the LDM layout (no 'decoder.mid.block_1.*')");
        }
        String prefix = ldm.allNames().stream().anyMatch(n -> n.startsWith(PREFIX)) ? PREFIX : "";
        return MappedWeights.build(ldm, prefix, Mappings.vae(levels), Components.VAE, new TreeSet<>());
    }
}
