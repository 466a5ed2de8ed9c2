package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/** The denoising UNet as a pipeline sees it ({@code unet(sample, t, encoder_hidden_states, added_cond_kwargs)}). */
public interface NoisePredictor {

    /**
     * @param sample              [B, C, h, w] scaled model input
     * @param timestep            the scheduler's timestep (integral or fractional)
     * @param encoderHiddenStates [B, 77, D]
     * @param textEmbeds          SDXL's pooled text embeds [B, P]; null for SD 1.5
     * @param timeIds             SDXL's add_time_ids [B, 6]; null for SD 1.5
     */
    Tensor predict(Tensor sample, double timestep, Tensor encoderHiddenStates, Tensor textEmbeds, Tensor timeIds);

    /** {@code unet.config.in_channels}. */
    int inChannels();

    /** {@code unet.config.sample_size} (latent pixels; default image side = sample_size * VAE scale factor). */
    int sampleSize();
}
