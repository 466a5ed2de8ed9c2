package dev.vega4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import java.nio.file.Path;
import java.util.List;

/**
 * An {@code AutoencoderKL} {@code config.json} with diffusers 0.26.3's defaults for omitted keys
 * ({@code models/autoencoders/autoencoder_kl.py}). {@code use_quant_conv}, {@code use_post_quant_conv} and
 * {@code mid_block_add_attention} are read for forward compatibility with later diffusers (0.26.3 always has them on).
 *
 * @param scalingFactor latents = scalingFactor * VAE sample; the pipeline divides by it before decoding
 * @param forceUpcast   diffusers runs this VAE in float32 even in half-precision pipelines (we are always fp32)
 */
public record VaeConfig(
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        int[] blockOutChannels,
        int layersPerBlock,
        String actFn,
        int latentChannels,
        int normNumGroups,
        int sampleSize,
        float scalingFactor,
        boolean forceUpcast,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention) {

    public VaeConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        if (blockOutChannels.length == 0 || blockOutChannels.length != downBlockTypes.size()
                || upBlockTypes.size() != downBlockTypes.size()) {
            throw new VegaException("VAE config: block_out_channels (" + blockOutChannels.length
                    + "), down_block_types (" + downBlockTypes.size() + ") and up_block_types (" + upBlockTypes.size()
                    + ") must have the same length");
        }
    }

    /** Pixels per latent cell: 2^(levels - 1) (8 for SD/SDXL). */
    public int scaleFactor() {
        return 1 << (blockOutChannels.length - 1);
    }

    public static VaeConfig load(Path configJson) {
        return fromJson(ConfigReader.read(configJson, "VAE"), configJson.toString());
    }

    public static VaeConfig fromJson(JsonNode json, String source) {
        ConfigReader r = new ConfigReader(json, source);
        return new VaeConfig(
                r.integer("in_channels", 3),
                r.integer("out_channels", 3),
                r.strings("down_block_types", List.of("DownEncoderBlock2D")),
                r.strings("up_block_types", List.of("UpDecoderBlock2D")),
                r.ints("block_out_channels", new int[] {64}),
                r.integer("layers_per_block", 1),
                r.string("act_fn", "silu"),
                r.integer("latent_channels", 4),
                r.integer("norm_num_groups", 32),
                r.integer("sample_size", 32),
                r.number("scaling_factor", 0.18215f),
                r.bool("force_upcast", true),
                r.bool("use_quant_conv", true),
                r.bool("use_post_quant_conv", true),
                r.bool("mid_block_add_attention", true));
    }
}
