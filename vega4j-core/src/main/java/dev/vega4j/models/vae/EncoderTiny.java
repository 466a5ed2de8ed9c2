package dev.vega4j.models.vae;

import dev.vega4j.config.TinyVaeConfig;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * diffusers {@code EncoderTiny} (0.26.3, {@code models/autoencoders/vae.py}): one {@code nn.Sequential} named
 * {@code layers}. Level 0 starts with a 3x3 conv from the image, every later level with a bias-free stride-2 3x3 conv
 * (the downsampling), each followed by its {@code AutoencoderTinyBlock}s; a last 3x3 conv maps to the latent channels.
 * The input is moved from [-1, 1] to TAESD's [0, 1] first.
 */
final class EncoderTiny {
    private final List<UnaryOperator<Tensor>> layers = new ArrayList<>();

    EncoderTiny(Params p, TinyVaeConfig c) {
        int[] widths = c.encoderBlockOutChannels();
        int index = 0;
        for (int level = 0; level < widths.length; level++) {
            int ch = widths[level];
            Params at = p.sub(index++);
            // diffusers builds every downsampling conv as Conv2d(num_channels, num_channels): levels share one width
            Conv2d conv = level == 0 ? Conv2d.same(at, c.inChannels(), ch, 3) : new Conv2d(at, ch, ch, 3, 2, 1, false);
            layers.add(conv::forward);
            for (int b = 0; b < c.numEncoderBlocks()[level]; b++) {
                layers.add(new AutoencoderTinyBlock(p.sub(index++), ch, ch)::forward);
            }
        }
        layers.add(Conv2d.same(p.sub(index), widths[widths.length - 1], c.latentChannels(), 3)::forward);
    }

    /** image [N, 3, H, W] in [-1, 1] → latents [N, latent, H/f, W/f]. */
    Tensor forward(Tensor image) {
        float[] src = image.data();
        Tensor x = Tensor.zeros(image.shape());
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (src[i] + 1f) / 2f; // x.add(1).div(2)
        }
        for (UnaryOperator<Tensor> layer : layers) {
            x = layer.apply(x);
        }
        return x;
    }
}
