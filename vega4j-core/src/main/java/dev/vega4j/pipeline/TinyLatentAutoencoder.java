package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import dev.vega4j.models.vae.AutoencoderTiny;
import dev.vega4j.tensor.Tensor;
import java.util.Optional;

/** An {@link AutoencoderTiny} (TAESD) as the pipeline calls it. The model knows nothing of pipelines. */
public record TinyLatentAutoencoder(AutoencoderTiny model) implements LatentAutoencoder {

    @Override
    public Tensor decode(Tensor latents) {
        return model.decode(latents);
    }

    @Override
    public Tensor[] encodeMoments(Tensor image) {
        throw new VegaException("AutoencoderTiny has no latent distribution; use encodeLatents");
    }

    @Override
    public Optional<Tensor> encodeLatents(Tensor image) {
        return Optional.of(model.encode(image));
    }

    @Override
    public boolean tiny() {
        return true;
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
