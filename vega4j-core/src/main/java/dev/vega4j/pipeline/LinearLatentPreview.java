package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * The cheapest preview: each latent cell becomes one pixel by a fixed 4→3 linear map, then {@code x·0.5 + 0.5}
 * clamped to [0, 1]. The factors are AUTOMATIC1111's "Approx cheap" tables ({@code modules/sd_vae_approx.py},
 * {@code cheap_approximation}; from discuss.huggingface.co/t/decoding-latents-to-rgb-without-upscaling/23204), one for
 * SDXL-family latents and one for SD 1.5's, applied to the latents as the scheduler holds them.
 */
public final class LinearLatentPreview implements LatentPreviewer {
    /** rows: latent channel; columns: R, G, B. */
    private static final float[][] SDXL = {
        {0.3448f, 0.4168f, 0.4395f},
        {-0.1953f, -0.0290f, 0.0250f},
        {0.1074f, 0.0886f, -0.0163f},
        {-0.3730f, -0.2499f, -0.2088f},
    };
    private static final float[][] SD15 = {
        {0.298f, 0.207f, 0.208f},
        {0.187f, 0.286f, 0.173f},
        {-0.158f, 0.189f, 0.264f},
        {-0.184f, -0.271f, -0.473f},
    };

    private final float[][] factors;

    private LinearLatentPreview(float[][] factors) {
        this.factors = factors;
    }

    public static LinearLatentPreview of(Pipeline.Family family) {
        return new LinearLatentPreview(family == Pipeline.Family.SDXL ? SDXL : SD15);
    }

    @Override
    public BufferedImage render(Tensor latents) {
        Tensor z = LatentPreviewer.shrink(latents, 1);
        int c = Math.min(z.dim(1), factors.length), h = z.dim(2), w = z.dim(3), plane = h * w;
        float[] d = z.data();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plane; i++) {
            int rgb = 0;
            for (int o = 0; o < 3; o++) {
                float v = 0;
                for (int ch = 0; ch < c; ch++) {
                    v += d[ch * plane + i] * factors[ch][o];
                }
                rgb = (rgb << 8) | to8bit(v * 0.5f + 0.5f);
            }
            img.setRGB(i % w, i / w, rgb);
        }
        return img;
    }

    static int to8bit(float v01) {
        float v = Math.min(Math.max(v01, 0f), 1f);
        return Math.round(v * 255f);
    }
}
