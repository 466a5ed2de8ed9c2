package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/** The VAE as a pipeline sees it (AutoencoderKL, always run in float32). */
public interface LatentAutoencoder {

    /** {@code vae.decode(z).sample}: [B, 4, h, w] (already divided by the scaling factor) to [B, 3, H, W]. */
    Tensor decode(Tensor latents);

    /** {@code vae.encode(x).latent_dist}: mean and logvar (not yet clamped), each [B, 4, h, w]. */
    Tensor[] encodeMoments(Tensor image);

    /** {@code vae.config.scaling_factor}. */
    float scalingFactor();

    /** {@code 2 ** (len(vae.config.block_out_channels) - 1)}. */
    int scaleFactor();
}
