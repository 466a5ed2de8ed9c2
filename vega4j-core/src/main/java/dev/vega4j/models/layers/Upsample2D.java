package dev.vega4j.models.layers;

import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code Upsample2D} with {@code use_conv=True}: nearest-neighbour x2 (or to an explicit output size, which
 * the UNet passes when the latent is not divisible by its total downsampling), then a 3x3 {@code conv}.
 */
public final class Upsample2D {
    private final Conv2d conv;

    public Upsample2D(Params p, int channels, int out) {
        this.conv = Conv2d.same(p.sub("conv"), channels, out, 3);
    }

    /** @param outputSize {h, w} to upsample to, or null for twice the input size */
    public Tensor forward(Tensor x, int[] outputSize) {
        int oh = outputSize == null ? x.dim(2) * 2 : outputSize[0];
        int ow = outputSize == null ? x.dim(3) * 2 : outputSize[1];
        return conv.forward(Ops.get().upsampleNearest(x, oh, ow));
    }
}
