package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;

/** The inpainting mask at latent resolution and diffusers' latent blending for 4-channel UNets. */
final class LatentMasks {
    private LatentMasks() {}

    /**
     * {@code F.interpolate(mask, size=(h, w))} (mode nearest): source index {@code floor(dst * (in / out))} with the
     * scale in float32, clamped to the last row/column - torch's {@code nearest_idx}.
     */
    static Tensor interpolateNearest(Tensor mask, int outH, int outW) {
        int b = mask.dim(0), c = mask.dim(1), inH = mask.dim(2), inW = mask.dim(3);
        float sh = (float) inH / outH, sw = (float) inW / outW;
        Tensor out = Tensor.zeros(b, c, outH, outW);
        float[] s = mask.data(), o = out.data();
        for (int p = 0; p < b * c; p++) {
            for (int y = 0; y < outH; y++) {
                int sy = Math.min((int) Math.floor(y * sh), inH - 1);
                for (int x = 0; x < outW; x++) {
                    int sx = Math.min((int) Math.floor(x * sw), inW - 1);
                    o[(p * outH + y) * outW + x] = s[(p * inH + sy) * inW + sx];
                }
            }
        }
        return out;
    }

    /**
     * {@code (1 - m) * init_latents_proper + m * latents} with the [B, 1, h, w] mask broadcast over channels
     * (StableDiffusion[XL]InpaintPipeline, 4-channel branch).
     */
    static Tensor blend(Tensor proper, Tensor latents, Tensor mask) {
        int b = latents.dim(0), c = latents.dim(1), plane = latents.dim(2) * latents.dim(3);
        Tensor out = Tensor.zeros(latents.shape());
        float[] p = proper.data(), l = latents.data(), m = mask.data(), o = out.data();
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < plane; i++) {
                    int k = (bi * c + ci) * plane + i;
                    float mv = m[bi * plane + i];
                    float a = (1f - mv) * p[k];
                    float bb = mv * l[k];
                    o[k] = a + bb;
                }
            }
        }
        return out;
    }
}
