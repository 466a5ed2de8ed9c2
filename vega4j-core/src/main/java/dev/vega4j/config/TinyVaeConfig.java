package dev.vega4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.VegaException;
import java.nio.file.Path;

/**
 * An {@code AutoencoderTiny} {@code config.json} (TAESD / TAESDXL) with diffusers 0.26.3's defaults for omitted keys
 * ({@code models/autoencoders/autoencoder_tiny.py}).
 *
 * @param encoderBlockOutChannels channels of each encoder level (the first conv maps the image to level 0's width)
 * @param numEncoderBlocks        {@code AutoencoderTinyBlock}s per encoder level
 * @param latentMagnitude         {@code scale_latents}: latents / (2·magnitude) + shift, for 8-bit latent storage
 * @param scalingFactor           the pipeline divides latents by it before decoding (1.0 for TAESD)
 */
public record TinyVaeConfig(
        int inChannels,
        int outChannels,
        int[] encoderBlockOutChannels,
        int[] decoderBlockOutChannels,
        int[] numEncoderBlocks,
        int[] numDecoderBlocks,
        String actFn,
        String upsampleFn,
        int latentChannels,
        int upsamplingScalingFactor,
        float latentMagnitude,
        float latentShift,
        float scalingFactor,
        boolean forceUpcast) {

    public TinyVaeConfig {
        if (encoderBlockOutChannels.length == 0 || encoderBlockOutChannels.length != numEncoderBlocks.length) {
            throw new VegaException("AutoencoderTiny config: encoder_block_out_channels (" + encoderBlockOutChannels.length
                    + ") and num_encoder_blocks (" + numEncoderBlocks.length + ") must have the same length");
        }
        if (decoderBlockOutChannels.length == 0 || decoderBlockOutChannels.length != numDecoderBlocks.length) {
            throw new VegaException("AutoencoderTiny config: decoder_block_out_channels (" + decoderBlockOutChannels.length
                    + ") and num_decoder_blocks (" + numDecoderBlocks.length + ") must have the same length");
        }
        if (!"relu".equalsIgnoreCase(actFn)) {
            throw new VegaException("AutoencoderTiny config: act_fn '" + actFn + "' is not supported (relu)");
        }
        if (!"nearest".equalsIgnoreCase(upsampleFn)) {
            throw new VegaException("AutoencoderTiny config: upsample_fn '" + upsampleFn + "' is not supported (nearest)");
        }
        if (upsamplingScalingFactor < 1) {
            throw new VegaException("AutoencoderTiny config: upsampling_scaling_factor must be positive, got "
                    + upsamplingScalingFactor);
        }
    }

    /**
     * Pixels per latent cell. diffusers' pipelines take {@code 2 ** (len(vae.config.block_out_channels) - 1)}, and an
     * {@code AutoencoderTiny} config records {@code block_out_channels} (4 levels: 8); the encoder itself downsamples
     * once per level after the first, which is the same number.
     */
    public int scaleFactor() {
        return 1 << (encoderBlockOutChannels.length - 1);
    }

    public static TinyVaeConfig load(Path configJson) {
        return fromJson(ConfigReader.read(configJson, "AutoencoderTiny"), configJson.toString());
    }

    public static TinyVaeConfig fromJson(JsonNode json, String source) {
        ConfigReader r = new ConfigReader(json, source);
        return new TinyVaeConfig(
                r.integer("in_channels", 3),
                r.integer("out_channels", 3),
                r.ints("encoder_block_out_channels", new int[] {64, 64, 64, 64}),
                r.ints("decoder_block_out_channels", new int[] {64, 64, 64, 64}),
                r.ints("num_encoder_blocks", new int[] {1, 3, 3, 3}),
                r.ints("num_decoder_blocks", new int[] {3, 3, 3, 1}),
                r.string("act_fn", "relu"),
                r.string("upsample_fn", "nearest"),
                r.integer("latent_channels", 4),
                r.integer("upsampling_scaling_factor", 2),
                r.number("latent_magnitude", 3f),
                r.number("latent_shift", 0.5f),
                r.number("scaling_factor", 1.0f),
                r.bool("force_upcast", false));
    }
}
