package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;
import java.util.Optional;

/** The VAE as a pipeline sees it (AutoencoderKL or AutoencoderTiny, always run in float32). */
public interface LatentAutoencoder {

    /** {@code vae.decode(z).sample}: [B, 4, h, w] (already divided by the scaling factor) to [B, 3, H, W]. */
    Tensor decode(Tensor latents);

    /**
     * {@code vae.encode(x).latent_dist}: mean and logvar (not yet clamped), each [B, 4, h, w]. Only called when
     * {@link #encodeLatents} is empty.
     */
    Tensor[] encodeMoments(Tensor image);

    /**
     * The latents themselves when the encoder has no distribution to sample ({@code AutoencoderTiny}: diffusers'
     * {@code retrieve_latents} returns {@code encoder_output.latents} and draws nothing from the generator); empty for
     * a KL autoencoder.
     */
    default Optional<Tensor> encodeLatents(Tensor image) {
        return Optional.empty();
    }

    /** Whether this is a tiny autoencoder (TAESD), cheap enough to decode a live preview every step. */
    default boolean tiny() {
        return false;
    }

    /** {@code vae.config.scaling_factor}. */
    float scalingFactor();

    /** {@code 2 ** (len(vae.config.block_out_channels) - 1)}. */
    int scaleFactor();
}
