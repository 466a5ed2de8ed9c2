package dev.vega4j.models.vae;

import dev.vega4j.VegaException;
import dev.vega4j.config.VaeConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.io.Weights;
import dev.vega4j.models.layers.Conv2d;
import dev.vega4j.models.layers.Params;
import dev.vega4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * diffusers {@code AutoencoderKL} (v0.26.3, {@code models/autoencoders/autoencoder_kl.py}): {@link #encode} = encoder +
 * {@code quant_conv} → posterior; {@link #decode} = {@code post_quant_conv} + decoder. Neither applies
 * {@code scaling_factor} (the pipeline does) nor clamps.
 *
 * <p>With {@link #setTiling(boolean) tiling} on, latents larger than one latent tile (images larger than one image
 * tile) are decoded (encoded) in overlapping tiles whose seams are blended linearly, like diffusers'
 * {@code tiled_decode} / {@code tiled_encode} (25% overlap): memory stays bounded for large images at the price of
 * small differences to a plain pass. The image tile is {@code sample_size} unless {@link #setTileSampleSize(int)} sets
 * it (diffusers' {@code tile_sample_min_size}; the latent tile, {@code tile_latent_min_size}, follows as tile / f).
 */
public final class AutoencoderKL {
    private static final float TILE_OVERLAP = 0.25f;
    /** The smallest image tile {@link #setTileSampleSize(int)} accepts, in pixels. */
    public static final int MIN_TILE_SAMPLE_SIZE = 64;

    private final VaeConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;
    private volatile boolean tiling;
    /** Image tile side in pixels; 0 = the config's sample_size (diffusers' default). */
    private volatile int tileSampleSize;

    private AutoencoderKL(VaeConfig c, Params p) {
        this.config = c;
        int l = c.latentChannels();
        this.encoder = new Encoder(p.sub("encoder"), c);
        this.quantConv = c.useQuantConv() ? new Conv2d(p.sub("quant_conv"), 2 * l, 2 * l, 1, 1, 0, true) : null;
        this.postQuantConv = c.usePostQuantConv() ? new Conv2d(p.sub("post_quant_conv"), l, l, 1, 1, 0, true) : null;
        this.decoder = new Decoder(p.sub("decoder"), c);
    }

    public static AutoencoderKL create(VaeConfig config, Weights weights) {
        Params p = Params.from(weights);
        AutoencoderKL m = new AutoencoderKL(config, p);
        p.finish();
        return m;
    }

    /**
     * Loads a diffusers {@code vae/} folder: {@code config.json} and {@code diffusion_pytorch_model.safetensors}, or
     * the only variant present ({@link WeightFiles}).
     */
    public static AutoencoderKL load(Path dir) {
        VaeConfig config = VaeConfig.load(dir.resolve("config.json"));
        Path file = WeightFiles.resolveModel(dir, WeightFiles.Library.DIFFUSERS, "AutoencoderKL");
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            return create(config, w);
        }
    }

    /**
     * Loads a stand-alone VAE file ({@code sdxl_vae.safetensors}, {@code *.vae.safetensors}) with the config it is
     * used with: LDM names (with or without {@code first_stage_model.}) or diffusers names, see
     * {@link dev.vega4j.io.checkpoint.LdmVae#anyLayout}.
     */
    public static AutoencoderKL fromSingleFile(Path file, VaeConfig config) {
        try (SafetensorsWeights w = SafetensorsWeights.open(file)) {
            return create(config, dev.vega4j.io.checkpoint.LdmVae.anyLayout(w, config.blockOutChannels().length));
        }
    }

    /** Every parameter's diffusers name and shape, without allocating weights. */
    public static Map<String, int[]> parameterShapes(VaeConfig config) {
        Params p = Params.shapesOnly();
        new AutoencoderKL(config, p);
        return p.shapes();
    }

    public VaeConfig config() {
        return config;
    }

    public int scaleFactor() {
        return config.scaleFactor();
    }

    /** Encoder + quant_conv output split in two: {mean, logvar} with logvar not yet clamped. */
    public Tensor[] encodeMoments(Tensor image) {
        Tensor moments = moments(image);
        int c = moments.dim(1) / 2;
        return new Tensor[] {dev.vega4j.models.layers.Spatial.channels(moments, 0, c),
                dev.vega4j.models.layers.Spatial.channels(moments, c, 2 * c)};
    }

    public float scalingFactor() {
        return config.scalingFactor();
    }

    /** Turns tiled decoding of large latents on or off (diffusers' {@code enable_tiling}). */
    public void setTiling(boolean on) {
        this.tiling = on;
    }

    /**
     * Sets the image tile side in pixels used when tiling is on (diffusers' {@code tile_sample_min_size}, with
     * {@code tile_latent_min_size} = px / f set to match); 0 restores the default, the config's sample_size. The side
     * must be at least {@value #MIN_TILE_SAMPLE_SIZE} and a multiple of 4·f (32 for an f = 8 VAE): then the latent
     * tile is a multiple of 4, so the 25% overlap is a whole number of latents and the decoded tiles' stride equals
     * their kept part (with other sizes diffusers' arithmetic misaligns the seams).
     */
    public void setTileSampleSize(int px) {
        if (px != 0) {
            checkTileSampleSize(px, config.scaleFactor());
        }
        this.tileSampleSize = px;
    }

    /**
     * Throws a readable {@link VegaException} unless {@code px} is a valid image tile side for a VAE of this scale
     * factor (see {@link #setTileSampleSize(int)}).
     */
    public static void checkTileSampleSize(int px, int scaleFactor) {
        int multiple = 4 * scaleFactor;
        if (px < MIN_TILE_SAMPLE_SIZE || px % multiple != 0) {
            throw new VegaException("VAE tile size must be a multiple of " + multiple + " pixels (4 x the VAE's scale"
                    + " factor " + scaleFactor + ") and at least " + MIN_TILE_SAMPLE_SIZE + ", got " + px);
        }
    }

    /** The image tile side in pixels tiling uses (diffusers' {@code tile_sample_min_size}). */
    public int tileSampleSize() {
        int t = tileSampleSize;
        return t != 0 ? t : config.sampleSize();
    }

    /** The latent tile side tiling uses (diffusers' {@code tile_latent_min_size}). */
    public int tileLatentSize() {
        int t = tileSampleSize;
        // the default as diffusers computes it from the config: int(sample_size / 2 ** (len(block_out_channels) - 1))
        return t != 0 ? t / config.scaleFactor() : (int) (config.sampleSize() / (float) config.scaleFactor());
    }

    /** image [N, in_channels, H, W] in [-1, 1] → posterior over latents [N, latent, H/f, W/f]. */
    public DiagonalGaussianDistribution encode(Tensor image) {
        return DiagonalGaussianDistribution.fromMoments(moments(image));
    }

    private void checkImage(Tensor image) {
        if (image.rank() != 4 || image.dim(1) != config.inChannels()) {
            throw new VegaException("VAE encode: image must be [N, " + config.inChannels() + ", H, W], got "
                    + Arrays.toString(image.shape()));
        }
    }

    /** Encoder + quant_conv, tiled when tiling is on and the image is larger than one tile. */
    private Tensor moments(Tensor image) {
        checkImage(image);
        int tileSample = tileSampleSize();
        if (tiling && (image.dim(2) > tileSample || image.dim(3) > tileSample)) {
            return momentsTiled(image);
        }
        return momentsTile(image);
    }

    private Tensor momentsTile(Tensor image) {
        Tensor h = encoder.forward(image);
        return quantConv != null ? quantConv.forward(h) : h;
    }

    /** latents [N, latent, h, w] (already divided by scaling_factor) → image [N, out, h·f, w·f], unclamped. */
    public Tensor decode(Tensor z) {
        if (z.rank() != 4 || z.dim(1) != config.latentChannels()) {
            throw new VegaException("VAE decode: latents must be [N, " + config.latentChannels() + ", h, w], got "
                    + Arrays.toString(z.shape()));
        }
        int tileLatent = tileLatentSize();
        if (tiling && (z.dim(2) > tileLatent || z.dim(3) > tileLatent)) {
            return decodeTiled(z);
        }
        return decodeTile(z);
    }

    private Tensor decodeTile(Tensor z) {
        return decoder.forward(postQuantConv != null ? postQuantConv.forward(z) : z);
    }

    /** diffusers {@code tiled_decode}: overlapping latent tiles, decoded, blended and joined. */
    public Tensor decodeTiled(Tensor z) {
        int tileLatent = tileLatentSize(), tileSample = tileSampleSize();
        // overlap_size = int(latent tile · 0.75), blend_extent = int(image tile · 0.25), row_limit = tile - blend
        int blend = (int) (tileSample * TILE_OVERLAP);
        return tiled(z, tileLatent, (int) (tileLatent * (1 - TILE_OVERLAP)), blend, tileSample - blend,
                this::decodeTile);
    }

    /** diffusers {@code tiled_encode}: overlapping image tiles, encoded to moments, blended and joined. */
    public DiagonalGaussianDistribution encodeTiled(Tensor image) {
        checkImage(image);
        return DiagonalGaussianDistribution.fromMoments(momentsTiled(image));
    }

    private Tensor momentsTiled(Tensor image) {
        int tileLatent = tileLatentSize(), tileSample = tileSampleSize();
        // overlap_size = int(image tile · 0.75), blend_extent = int(latent tile · 0.25), row_limit = tile - blend
        int blend = (int) (tileLatent * TILE_OVERLAP);
        return tiled(image, tileSample, (int) (tileSample * (1 - TILE_OVERLAP)), blend, tileLatent - blend,
                this::momentsTile);
    }

    /**
     * The tiling both directions share: tiles of {@code tile} input cells every {@code stride}, each mapped by
     * {@code fn}; each result is blended into its upper then its left neighbour over {@code blend} output cells (in
     * place, in diffusers' order, so later tiles see blended neighbours), cropped to {@code rowLimit} and joined.
     */
    private static Tensor tiled(Tensor x, int tile, int stride, int blend, int rowLimit,
            java.util.function.UnaryOperator<Tensor> fn) {
        int h = x.dim(2), w = x.dim(3);
        int rowsN = (h + stride - 1) / stride, colsN = (w + stride - 1) / stride;
        Tensor[][] tiles = new Tensor[rowsN][colsN];
        for (int r = 0; r < rowsN; r++) {
            for (int c = 0; c < colsN; c++) {
                int y0 = r * stride, x0 = c * stride;
                tiles[r][c] = fn.apply(crop(x, y0, Math.min(y0 + tile, h), x0, Math.min(x0 + tile, w)));
            }
        }
        int outH = 0, outW = 0;
        for (int r = 0; r < rowsN; r++) {
            outH += Math.min(rowLimit, tiles[r][0].dim(2));
        }
        for (int c = 0; c < colsN; c++) {
            outW += Math.min(rowLimit, tiles[0][c].dim(3));
        }
        Tensor out = Tensor.zeros(x.dim(0), tiles[0][0].dim(1), outH, outW);
        int oy = 0;
        for (int r = 0; r < rowsN; r++) {
            int ox = 0;
            int th = 0;
            for (int c = 0; c < colsN; c++) {
                Tensor t = tiles[r][c];
                if (r > 0) {
                    blendV(tiles[r - 1][c], t, blend);
                }
                if (c > 0) {
                    blendH(tiles[r][c - 1], t, blend);
                }
                th = Math.min(rowLimit, t.dim(2));
                int tw = Math.min(rowLimit, t.dim(3));
                paste(out, t, oy, ox, th, tw);
                ox += tw;
            }
            oy += th;
        }
        return out;
    }

    private static Tensor crop(Tensor x, int y0, int y1, int x0, int x1) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        Tensor y = Tensor.zeros(n, c, y1 - y0, x1 - x0);
        for (int p = 0; p < n * c; p++) {
            for (int r = y0; r < y1; r++) {
                System.arraycopy(x.data(), (p * h + r) * w + x0, y.data(), (p * (y1 - y0) + r - y0) * (x1 - x0),
                        x1 - x0);
            }
        }
        return y;
    }

    private static void paste(Tensor out, Tensor t, int oy, int ox, int th, int tw) {
        int nc = out.dim(0) * out.dim(1), oh = out.dim(2), ow = out.dim(3), h = t.dim(2), w = t.dim(3);
        for (int p = 0; p < nc; p++) {
            for (int r = 0; r < th; r++) {
                System.arraycopy(t.data(), (p * h + r) * w, out.data(), (p * oh + oy + r) * ow + ox, tw);
            }
        }
    }

    /** b's first rows fade in over a's last rows: {@code b[y] = a[-e + y]·(1 - y/e) + b[y]·(y/e)}. */
    private static void blendV(Tensor a, Tensor b, int extent) {
        int e = Math.min(Math.min(a.dim(2), b.dim(2)), extent);
        int nc = b.dim(0) * b.dim(1), ah = a.dim(2), bh = b.dim(2), w = b.dim(3);
        if (a.dim(3) != w) {
            return; // diffusers would fail on such a shape mismatch; it cannot happen with equal-width columns
        }
        for (int y = 0; y < e; y++) {
            float wb = (float) ((double) y / e), wa = (float) (1 - (double) y / e);
            for (int p = 0; p < nc; p++) {
                int ai = (p * ah + ah - e + y) * w, bi = (p * bh + y) * w;
                for (int x = 0; x < w; x++) {
                    b.data()[bi + x] = a.data()[ai + x] * wa + b.data()[bi + x] * wb;
                }
            }
        }
    }

    /** b's first columns fade in over a's last columns. */
    private static void blendH(Tensor a, Tensor b, int extent) {
        int e = Math.min(Math.min(a.dim(3), b.dim(3)), extent);
        int nc = b.dim(0) * b.dim(1), aw = a.dim(3), bw = b.dim(3), h = Math.min(a.dim(2), b.dim(2));
        if (a.dim(2) != b.dim(2)) {
            return;
        }
        for (int x = 0; x < e; x++) {
            float wb = (float) ((double) x / e), wa = (float) (1 - (double) x / e);
            for (int p = 0; p < nc; p++) {
                for (int y = 0; y < h; y++) {
                    int ai = (p * a.dim(2) + y) * aw + aw - e + x, bi = (p * b.dim(2) + y) * bw + x;
                    b.data()[bi] = a.data()[ai] * wa + b.data()[bi] * wb;
                }
            }
        }
    }
}
