package dev.vega4j.io.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import dev.vega4j.io.Weights;
import java.util.Set;
import java.util.TreeSet;

/**
 * A stand-alone VAE file in the LDM layout (the {@code *.vae.safetensors} files A1111 and ComfyUI swap in:
 * {@code encoder.down.0.block.0...}, with or without the {@code first_stage_model.} prefix), presented under diffusers
 * names like {@code convert_ldm_vae_checkpoint} does.
 */
public final class LdmVae {
    private LdmVae() {}

    /** True when the names look like an LDM VAE rather than a diffusers one. */
    public static boolean isLdmVae(Set<String> names) {
        return names.stream().anyMatch(n -> n.startsWith("encoder.mid.attn_1.") || n.startsWith("decoder.mid.block_1.")
                || n.startsWith("first_stage_model.decoder."));
    }

    /**
     * The VAE under diffusers names; {@code vaeConfig} is the diffusers {@code vae/config.json} it is used with (its
     * {@code block_out_channels} gives the number of levels).
     */
    public static Weights view(Weights ldm, JsonNode vaeConfig) {
        if (!isLdmVae(ldm.allNames())) {
            throw new VegaException(ldm.source() + ": not a VAE in the LDM layout (no 'decoder.mid.block_1.*')");
        }
        String prefix = ldm.allNames().stream().anyMatch(n -> n.startsWith("first_stage_model.")) ? "first_stage_model." : "";
        PipelineConfigs cfg = PipelineConfigs.of(java.util.Map.of(PipelineConfigs.VAE, vaeConfig));
        return MappedWeights.build(ldm, prefix, Components.mapping(Components.VAE, cfg, true), Components.VAE,
                new TreeSet<>());
    }
}
