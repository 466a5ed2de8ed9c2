package dev.vega4j.models.vae;

import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code AutoencoderTinyBlock} (0.26.3, {@code models/unets/unet_2d_blocks.py}): {@code conv} = 3x3 conv,
 * ReLU, 3x3 conv, ReLU, 3x3 conv; {@code skip} = a bias-free 1x1 conv when the widths differ (else identity);
 * {@code fuse} = ReLU of their sum.
 */
final class AutoencoderTinyBlock {
    private final Conv2d conv0;
    private final Conv2d conv2;
    private final Conv2d conv4;
    private final Conv2d skip;

    AutoencoderTinyBlock(Params p, int in, int out) {
        Params conv = p.sub("conv");
        this.conv0 = Conv2d.same(conv.sub(0), in, out, 3);
        this.conv2 = Conv2d.same(conv.sub(2), out, out, 3);
        this.conv4 = Conv2d.same(conv.sub(4), out, out, 3);
        this.skip = in != out ? new Conv2d(p.sub("skip"), in, out, 1, 1, 0, false) : null;
    }

    Tensor forward(Tensor x) {
        Tensor h = conv4.forward(relu(conv2.forward(relu(conv0.forward(x)))));
        Tensor s = skip != null ? skip.forward(x) : x;
        return relu(Ops.get().add(h, s));
    }

    /** {@code torch.relu}, in place on a fresh activation. */
    static Tensor relu(Tensor x) {
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(d[i], 0f); // NaN stays NaN like torch; -0.0 maps to 0.0, which compares equal
        }
        return x;
    }
}
