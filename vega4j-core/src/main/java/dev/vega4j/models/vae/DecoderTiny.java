package dev.vega4j.models.vae;

import dev.vega4j.config.TinyVaeConfig;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Ops;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers {@code DecoderTiny} (0.26.3, {@code models/autoencoders/vae.py}): the latents are soft-clamped
 * ({@code tanh(x / 3) * 3}), then one {@code nn.Sequential} named {@code layers}: a 3x3 conv to level 0's width and a
 * ReLU, then per level its {@code AutoencoderTinyBlock}s, a nearest upsampling (all but the last level) and a 3x3 conv
 * (bias-free except the last, which maps to the image channels). The output is moved from TAESD's [0, 1] to [-1, 1].
 */
final class DecoderTiny {
    private final List<UnaryOperator<Tensor>> layers = new ArrayList<>();

    DecoderTiny(Params p, TinyVaeConfig c) {
        int[] widths = c.decoderBlockOutChannels();
        int up = c.upsamplingScalingFactor();
        layers.add(Conv2d.same(p.sub(0), c.latentChannels(), widths[0], 3)::forward);
        layers.add(AutoencoderTinyBlock::relu);
        int index = 2;
        for (int level = 0; level < widths.length; level++) {
            boolean last = level == widths.length - 1;
            int ch = widths[level];
            for (int b = 0; b < c.numDecoderBlocks()[level]; b++) {
                layers.add(new AutoencoderTinyBlock(p.sub(index++), ch, ch)::forward);
            }
            if (!last) {
                layers.add(x -> Ops.get().upsampleNearest(x, x.dim(2) * up, x.dim(3) * up));
                index++;
            }
            Conv2d conv = new Conv2d(p.sub(index++), ch, last ? c.outChannels() : ch, 3, 1, 1, last);
            layers.add(conv::forward);
        }
    }

    /** latents [N, latent, h, w] → image [N, out, h·f, w·f] in about [-1, 1] (not clamped). */
    Tensor forward(Tensor z) {
        float[] src = z.data();
        Tensor x = Tensor.zeros(z.shape());
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) Math.tanh(src[i] / 3f) * 3f; // torch.tanh(x / 3) * 3
        }
        for (UnaryOperator<Tensor> layer : layers) {
            x = layer.apply(x);
        }
        float[] o = x.data();
        for (int i = 0; i < o.length; i++) {
            o[i] = o[i] * 2f - 1f; // x.mul(2).sub(1)
        }
        return x;
    }
}
