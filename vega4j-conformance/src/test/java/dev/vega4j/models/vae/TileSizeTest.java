package dev.vega4j.models.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import dev.vega4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AutoencoderKL#setTileSampleSize(int)} on the tiny SDXL VAE (f = 2, sample_size 128): the stitching is
 * checked against a plain re-statement of diffusers' {@code tiled_decode} arithmetic over untiled decodes of the
 * same crops, so this tests the tile/blend/crop bookkeeping, not the decoder.
 */
class TileSizeTest {
    private static AutoencoderKL vae() {
        return AutoencoderKL.load(Golden.root().resolve("tiny-sdxl/vae"));
    }

    private static Tensor randn(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void defaultTileIsTheSampleSize() {
        AutoencoderKL v = vae();
        assertThat(v.tileSampleSize()).isEqualTo(128);
        assertThat(v.tileLatentSize()).isEqualTo(64);
        v.setTileSampleSize(64);
        assertThat(v.tileLatentSize()).isEqualTo(32);
        v.setTileSampleSize(0);
        assertThat(v.tileSampleSize()).isEqualTo(128);
    }

    @Test
    void aTileAsLargeAsTheImageDecodesBitIdenticallyToNoTiling() {
        AutoencoderKL v = vae();
        Tensor z = randn(1, 1, 4, 32, 24);
        Tensor plain = v.decode(z);
        v.setTiling(true);
        v.setTileSampleSize(64); // latent tile 32 >= 32 x 24: one tile, no stitching
        Tensor tiled = v.decode(z);
        assertThat(tiled.shape()).containsExactly(plain.shape());
        assertThat(tiled.data()).isEqualTo(plain.data());
    }

    @Test
    void smallTilesStitchLikeDiffusersTiledDecode() {
        AutoencoderKL v = vae();
        Tensor z = randn(2, 1, 4, 40, 36);
        int tileSample = 64, tileLatent = 32; // f = 2; a 40 x 36 latent: 2 x 2 tiles every 24 latents
        // the reference first, with tiling off: decode(crop) is then exactly one plain decoder pass per tile
        Tensor expected = naiveTiledDecode(v, z, tileLatent, tileSample);
        v.setTiling(true);
        v.setTileSampleSize(tileSample);
        Tensor tiled = v.decode(z);
        assertThat(tiled.shape()).containsExactly(1, 3, 80, 72);
        assertThat(tiled.data()).isEqualTo(expected.data());
        // and it differs from a plain decode only near the seams, not everywhere
        v.setTiling(false);
        assertThat(v.decode(z).data()).isNotEqualTo(tiled.data());
    }

    @Test
    void tiledEncodeUsesTheTileSize() {
        AutoencoderKL v = vae();
        v.setTiling(true);
        v.setTileSampleSize(64);
        Tensor image = randn(3, 1, 3, 80, 72);
        Tensor[] moments = v.encodeMoments(image);
        assertThat(moments[0].shape()).containsExactly(1, 4, 40, 36);
        v.setTiling(false);
        assertThat(v.encodeMoments(image)[0].data()).isNotEqualTo(moments[0].data());
    }

    @Test
    void badTileSizesAreRejectedReadably() {
        AutoencoderKL v = vae();
        assertThatThrownBy(() -> v.setTileSampleSize(60)).isInstanceOf(VegaException.class)
                .hasMessageContaining("multiple of 8").hasMessageContaining("got 60");
        assertThatThrownBy(() -> v.setTileSampleSize(56)).isInstanceOf(VegaException.class)
                .hasMessageContaining("at least 64");
        assertThatThrownBy(() -> v.setTileSampleSize(-64)).isInstanceOf(VegaException.class);
        assertThatThrownBy(() -> AutoencoderKL.checkTileSampleSize(496, 8)).isInstanceOf(VegaException.class)
                .hasMessageContaining("multiple of 32");
        AutoencoderKL.checkTileSampleSize(512, 8);
        assertThat(v.tileSampleSize()).isEqualTo(128); // a rejected size changes nothing
    }

    /**
     * diffusers 0.26.3 {@code AutoencoderKL.tiled_decode} re-stated on flat arrays: tiles of {@code tl} latents every
     * {@code int(tl · 0.75)}, each blended (in place, top then left neighbour) over {@code int(ts · 0.25)} pixels
     * with weights {@code 1 - y/e} and {@code y/e}, cropped to {@code ts - blend} and concatenated.
     */
    private static Tensor naiveTiledDecode(AutoencoderKL v, Tensor z, int tl, int ts) {
        int overlap = (int) (tl * (1 - 0.25)), blend = (int) (ts * 0.25), rowLimit = ts - blend;
        int h = z.dim(2), w = z.dim(3), c = z.dim(1);
        java.util.List<java.util.List<Tensor>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < h; i += overlap) {
            java.util.List<Tensor> row = new java.util.ArrayList<>();
            for (int j = 0; j < w; j += overlap) {
                int th = Math.min(tl, h - i), tw = Math.min(tl, w - j);
                Tensor crop = Tensor.zeros(1, c, th, tw);
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < th; y++) {
                        for (int x = 0; x < tw; x++) {
                            crop.data()[(ch * th + y) * tw + x] = z.data()[(ch * h + i + y) * w + j + x];
                        }
                    }
                }
                row.add(v.decode(crop));
            }
            rows.add(row);
        }
        int outH = 0, outW = 0;
        for (java.util.List<Tensor> row : rows) {
            outH += Math.min(rowLimit, row.get(0).dim(2));
        }
        for (Tensor t : rows.get(0)) {
            outW += Math.min(rowLimit, t.dim(3));
        }
        int oc = rows.get(0).get(0).dim(1);
        Tensor out = Tensor.zeros(1, oc, outH, outW);
        int oy = 0;
        for (int i = 0; i < rows.size(); i++) {
            int ox = 0, keptH = 0;
            for (int j = 0; j < rows.get(i).size(); j++) {
                Tensor b = rows.get(i).get(j);
                int bh = b.dim(2), bw = b.dim(3);
                if (i > 0) {
                    Tensor a = rows.get(i - 1).get(j);
                    int e = Math.min(Math.min(a.dim(2), bh), blend);
                    for (int y = 0; y < e; y++) {
                        for (int ch = 0; ch < oc; ch++) {
                            for (int x = 0; x < bw; x++) {
                                float av = a.data()[(ch * a.dim(2) + a.dim(2) - e + y) * bw + x];
                                int bi = (ch * bh + y) * bw + x;
                                b.data()[bi] = av * (float) (1 - (double) y / e) + b.data()[bi] * (float) ((double) y / e);
                            }
                        }
                    }
                }
                if (j > 0) {
                    Tensor a = rows.get(i).get(j - 1);
                    int e = Math.min(Math.min(a.dim(3), bw), blend);
                    for (int x = 0; x < e; x++) {
                        for (int ch = 0; ch < oc; ch++) {
                            for (int y = 0; y < bh; y++) {
                                float av = a.data()[(ch * bh + y) * a.dim(3) + a.dim(3) - e + x];
                                int bi = (ch * bh + y) * bw + x;
                                b.data()[bi] = av * (float) (1 - (double) x / e) + b.data()[bi] * (float) ((double) x / e);
                            }
                        }
                    }
                }
                keptH = Math.min(rowLimit, bh);
                int keptW = Math.min(rowLimit, bw);
                for (int ch = 0; ch < oc; ch++) {
                    for (int y = 0; y < keptH; y++) {
                        for (int x = 0; x < keptW; x++) {
                            out.data()[(ch * outH + oy + y) * outW + ox + x] = b.data()[(ch * bh + y) * bw + x];
                        }
                    }
                }
                ox += keptW;
            }
            oy += keptH;
        }
        return out;
    }
}
