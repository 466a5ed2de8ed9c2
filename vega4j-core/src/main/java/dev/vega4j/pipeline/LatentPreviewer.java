package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;

/**
 * Turns the current denoised estimate into a small picture while a generation runs. Never the full VAE (it costs a
 * third of a short generation): a tiny autoencoder ({@link TinyVaePreview}) or a fixed linear projection
 * ({@link LinearLatentPreview}). Implementations only read the latents they are given.
 */
public interface LatentPreviewer {
    /** The longest side of a preview, in pixels. */
    int MAX_SIDE = 256;

    /** latents [1, 4, h, w] as the scheduler holds them (not divided by the scaling factor) → an RGB image. */
    BufferedImage render(Tensor latents);

    /**
     * The latents averaged over k x k cells, with the smallest k that brings {@code h·f} and {@code w·f} to at most
     * {@link #MAX_SIDE} ({@code f} = pixels per latent cell of the renderer); a fresh tensor even for k = 1.
     */
    static Tensor shrink(Tensor latents, int pixelsPerCell) {
        int c = latents.dim(1), h = latents.dim(2), w = latents.dim(3);
        int k = Math.max(1, -Math.floorDiv(-Math.max(h, w) * pixelsPerCell, MAX_SIDE));
        int oh = Math.max(1, h / k), ow = Math.max(1, w / k);
        Tensor out = Tensor.zeros(1, c, oh, ow);
        float[] src = latents.data(), dst = out.data();
        float inv = 1f / (k * k);
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    float sum = 0;
                    for (int dy = 0; dy < k && y * k + dy < h; dy++) {
                        int row = (ch * h + y * k + dy) * w + x * k;
                        for (int dx = 0; dx < k && x * k + dx < w; dx++) {
                            sum += src[row + dx];
                        }
                    }
                    dst[(ch * oh + y) * ow + x] = sum * inv;
                }
            }
        }
        return out;
    }
}
