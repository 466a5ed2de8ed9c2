package dev.vega4j.models.vae;

import dev.vega4j.tensor.Tensor;

/**
 * diffusers {@code DiagonalGaussianDistribution}: the encoder's posterior. {@code logvar} is clamped to [-30, 20] and
 * {@code std = exp(0.5 · logvar)}, computed in float32 like torch.
 */
public record DiagonalGaussianDistribution(Tensor mean, Tensor logvar, Tensor std) {

    /** Splits moments [N, 2C, H, W] into mean (first C channels) and log-variance. */
    public static DiagonalGaussianDistribution fromMoments(Tensor moments) {
        int c = moments.dim(1) / 2;
        Tensor mean = dev.vega4j.models.layers.Spatial.channels(moments, 0, c);
        Tensor logvar = dev.vega4j.models.layers.Spatial.channels(moments, c, 2 * c);
        Tensor std = Tensor.zeros(logvar.shape());
        float[] lv = logvar.data(), sd = std.data();
        for (int i = 0; i < lv.length; i++) {
            lv[i] = Math.min(Math.max(lv[i], -30f), 20f);
            sd[i] = (float) Math.exp(0.5f * lv[i]);
        }
        return new DiagonalGaussianDistribution(mean, logvar, std);
    }

    /** {@code mean + std · noise} (the caller draws the noise, e.g. torch-compatible randn of the mean's shape). */
    public Tensor sample(Tensor noise) {
        Tensor out = Tensor.zeros(mean.shape());
        float[] m = mean.data(), s = std.data(), n = noise.data(), o = out.data();
        for (int i = 0; i < o.length; i++) {
            o[i] = m[i] + s[i] * n[i];
        }
        return out;
    }

    /** The mode (= mean), what diffusers' {@code latent_dist.mode()} returns. */
    public Tensor mode() {
        return mean;
    }
}
