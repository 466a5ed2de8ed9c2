package dev.vega4j.models.layers;

import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code Downsample2D} with {@code use_conv=True}: a stride-2 3x3 {@code conv}. With {@code padding=0} (the
 * VAE encoder) diffusers first pads one zero row/column at the bottom/right only ({@code F.pad(x, (0, 1, 0, 1))}).
 */
public final class Downsample2D {
    private final Conv2d conv;
    private final boolean asymmetricPad;

    public Downsample2D(Params p, int channels, int out, int padding) {
        this.conv = new Conv2d(p.sub("conv"), channels, out, 3, 2, padding, true);
        this.asymmetricPad = padding == 0;
    }

    public Tensor forward(Tensor x) {
        return conv.forward(asymmetricPad ? Spatial.padBottomRight(x) : x);
    }
}
