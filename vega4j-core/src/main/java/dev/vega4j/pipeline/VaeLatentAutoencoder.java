package dev.vega4j.pipeline;

import dev.vega4j.models.vae.AutoencoderKL;
import dev.vega4j.tensor.Tensor;

/** An {@link AutoencoderKL} as the pipeline calls it. The model knows nothing of pipelines. */
public record VaeLatentAutoencoder(AutoencoderKL model) implements LatentAutoencoder {

    @Override
    public Tensor decode(Tensor latents) {
        return model.decode(latents);
    }

    @Override
    public Tensor[] encodeMoments(Tensor image) {
        return model.encodeMoments(image);
    }

    @Override
    public float scalingFactor() {
        return model.scalingFactor();
    }

    @Override
    public int scaleFactor() {
        return model.scaleFactor();
    }
}
