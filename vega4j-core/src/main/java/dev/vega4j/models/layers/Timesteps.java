package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code Timesteps} ({@code models/embeddings.py}): the sinusoidal {@code get_timestep_embedding} with
 * scale 1 and max period 10000. Timesteps may be fractional (Karras schedules) or integral.
 */
public final class Timesteps {
    private final int channels;
    private final boolean flipSinToCos;
    private final float downscaleFreqShift;

    public Timesteps(int channels, boolean flipSinToCos, float downscaleFreqShift) {
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
    }

    /** [N] timesteps → [N, channels]. */
    public Tensor forward(float[] timesteps) {
        return Ops.get().timestepEmbedding(timesteps, channels, flipSinToCos, downscaleFreqShift, 1f, 10000);
    }
}
