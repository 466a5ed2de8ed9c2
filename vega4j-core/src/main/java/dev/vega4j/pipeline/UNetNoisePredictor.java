package dev.vega4j.pipeline;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.tensor.Tensor;

/**
 * A {@link UNet2DConditionModel} as the pipeline calls it: one timestep for the batch (cast to float32 as diffusers'
 * {@code time_proj} does) and SDXL's added conditions when given. The model knows nothing of pipelines.
 */
public record UNetNoisePredictor(UNet2DConditionModel model) implements NoisePredictor {

    @Override
    public Tensor predict(Tensor sample, double timestep, Tensor encoderHiddenStates, Tensor textEmbeds,
            Tensor timeIds) {
        var added = textEmbeds == null && timeIds == null ? null
                : new UNet2DConditionModel.AddedConditions(textEmbeds, timeIds);
        return model.forward(sample, new float[] {(float) timestep}, encoderHiddenStates, added, FeatureSink.NONE);
    }

    @Override
    public int inChannels() {
        return model.config().inChannels();
    }

    @Override
    public int sampleSize() {
        return model.config().sampleSize();
    }
}
