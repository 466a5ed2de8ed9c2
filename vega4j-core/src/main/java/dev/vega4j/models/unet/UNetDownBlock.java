package dev.vega4j.models.unet;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.tensor.Tensor;
import java.util.List;

/** A down block of the UNet: returns its output and the skip tensors ({@code res_samples}) the up path consumes. */
public sealed interface UNetDownBlock permits DownBlock2D, CrossAttnDownBlock2D {

    /** The block output and its skip connections, in the order diffusers appends them. */
    record Output(Tensor hiddenStates, List<Tensor> resSamples) {}

    /**
     * @param context encoder hidden states (ignored by blocks without attention)
     * @param sink    receives {@code resnets.j}, {@code attentions.j}, {@code downsamplers.0} (names relative to the
     *                block)
     */
    Output forward(Tensor x, Tensor temb, Tensor context, FeatureSink sink);
}
