package dev.vega4j.models.unet;

import dev.vega4j.models.layers.FeatureSink;
import dev.vega4j.tensor.Tensor;
import java.util.List;

/** An up block of the UNet: concatenates one skip tensor before each resnet, then optionally upsamples. */
public sealed interface UNetUpBlock permits UpBlock2D, CrossAttnUpBlock2D {

    /** Number of resnets = number of skip tensors consumed. */
    int resnetCount();

    /**
     * @param resSamples   this block's skip tensors in down order (the last one is consumed first)
     * @param upsampleSize {h, w} to upsample to (the next skip's size) or null for x2
     * @param sink         receives {@code resnets.j}, {@code attentions.j}, {@code upsamplers.0}
     */
    Tensor forward(Tensor x, List<Tensor> resSamples, Tensor temb, Tensor context, int[] upsampleSize,
            FeatureSink sink);
}
