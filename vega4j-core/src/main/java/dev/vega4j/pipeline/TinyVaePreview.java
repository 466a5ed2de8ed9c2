package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * A preview decoded by a tiny autoencoder (TAESD / TAESDXL), as A1111's and ComfyUI's "TAESD" live previews: the
 * latents are first averaged down so that the picture is at most {@link #MAX_SIDE} pixels (the decoder's cost grows
 * with the output's area; at 1024² a full-size TAESD decode would cost more than the 5% of a step previews may take).
 */
public record TinyVaePreview(LatentAutoencoder tiny) implements LatentPreviewer {

    @Override
    public BufferedImage render(Tensor latents) {
        Tensor z = LatentPreviewer.shrink(latents, tiny.scaleFactor());
        float s = tiny.scalingFactor();
        if (s != 1f) {
            float[] d = z.data();
            for (int i = 0; i < d.length; i++) {
                d[i] /= s;
            }
        }
        Tensor image01 = VaeImageProcessor.denormalize(tiny.decode(z));
        return VaeImageProcessor.toImage(image01, 0);
    }
}
