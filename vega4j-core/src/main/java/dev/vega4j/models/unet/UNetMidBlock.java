package dev.vega4j.models.unet;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.tensor.Tensor;

/** The UNet's middle block. */
public sealed interface UNetMidBlock permits UNetMidBlock2D, UNetMidBlock2DCrossAttn {
    /** @param sink receives {@code resnets.j}, {@code attentions.j} */
    Tensor forward(Tensor x, Tensor temb, Tensor context, FeatureSink sink);
}
