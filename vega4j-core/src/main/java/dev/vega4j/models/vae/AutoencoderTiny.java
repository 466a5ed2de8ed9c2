package dev.vega4j.models.vae;

import dev.vega4j.VegaException;
import dev.vega4j.config.TinyVaeConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * diffusers {@code AutoencoderTiny} (v0.26.3, {@code models/autoencoders/autoencoder_tiny.py}), the TAESD / TAESDXL
 * architecture (Ollin Boer Bohan, github.com/madebyollin/taesd): no attention, no norms, ReLU, a tanh soft clamp on the
 * latents. {@link #encode} gives latents directly (no distribution to sample); {@link #decode} gives the image in
 * [-1, 1] (unclamped). Like {@link AutoencoderKL} neither applies {@code scaling_factor} (1.0 for TAESD: it works on
 * the pipeline's latents as they are).
 */
public final class AutoencoderTiny {
    private final TinyVaeConfig config;
    private final EncoderTiny encoder;
    private final DecoderTiny decoder;

    private AutoencoderTiny(TinyVaeConfig c, Params p) {
        this.config = c;
        this.encoder = new EncoderTiny(p.sub("encoder").sub("layers"), c);
        this.decoder = new DecoderTiny(p.sub("decoder").sub("layers"), c);
    }

    public static AutoencoderTiny create(TinyVaeConfig config, Weights weights) {
        Params p = Params.from(weights);
        AutoencoderTiny m = new AutoencoderTiny(config, p);
        p.finish();
        return m;
    }

    /** Loads a diffusers folder: {@code config.json} and its weights ({@link WeightFiles}). */
    public static AutoencoderTiny load(Path dir) {
        TinyVaeConfig config = TinyVaeConfig.load(dir.resolve("config.json"));
        Path file = WeightFiles.resolveModel(dir, WeightFiles.Library.DIFFUSERS, "AutoencoderTiny");
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            return create(config, w);
        }
    }

    /** Every parameter's diffusers name and shape, without allocating weights. */
    public static Map<String, int[]> parameterShapes(TinyVaeConfig config) {
        Params p = Params.shapesOnly();
        new AutoencoderTiny(config, p);
        return p.shapes();
    }

    public TinyVaeConfig config() {
        return config;
    }

    public int scaleFactor() {
        return config.scaleFactor();
    }

    public float scalingFactor() {
        return config.scalingFactor();
    }

    /** {@code vae.encode(image).latents}: image [N, in, H, W] in [-1, 1] → latents [N, latent, H/f, W/f]. */
    public Tensor encode(Tensor image) {
        if (image.rank() != 4 || image.dim(1) != config.inChannels()) {
            throw new VegaException("AutoencoderTiny encode: image must be [N, " + config.inChannels() + ", H, W], got "
                    + Arrays.toString(image.shape()));
        }
        return encoder.forward(image);
    }

    /** {@code vae.decode(latents).sample}: latents [N, latent, h, w] → image [N, out, h·f, w·f], unclamped. */
    public Tensor decode(Tensor z) {
        if (z.rank() != 4 || z.dim(1) != config.latentChannels()) {
            throw new VegaException("AutoencoderTiny decode: latents must be [N, " + config.latentChannels()
                    + ", h, w], got " + Arrays.toString(z.shape()));
        }
        return decoder.forward(z);
    }

    /** diffusers {@code scale_latents}: {@code (x / (2·magnitude) + shift).clamp(0, 1)} (8-bit latent storage). */
    public Tensor scaleLatents(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        float[] s = x.data(), d = y.data();
        float m = 2 * config.latentMagnitude(), shift = config.latentShift();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.min(Math.max(s[i] / m + shift, 0f), 1f);
        }
        return y;
    }

    /** diffusers {@code unscale_latents}: {@code (x - shift)·(2·magnitude)}. */
    public Tensor unscaleLatents(Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        float[] s = x.data(), d = y.data();
        float m = 2 * config.latentMagnitude(), shift = config.latentShift();
        for (int i = 0; i < d.length; i++) {
            d[i] = (s[i] - shift) * m;
        }
        return y;
    }
}
