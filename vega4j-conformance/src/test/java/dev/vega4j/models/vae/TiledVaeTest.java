package dev.vega4j.models.vae;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tiled decode/encode (tiny-vega VAE: sample_size 64, factor 4: tiles of 64 pixels / 16 latents, 25% overlap). */
class TiledVaeTest {
    private static Tensor randn(int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < t.numel(); i++) {
            t.data()[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    @Test
    void smallLatentsAreNotTiled() {
        AutoencoderKL vae = AutoencoderKL.load(Golden.root().resolve("tiny-vega/vae"));
        Tensor z = randn(1, 4, 8, 12);
        Tensor plain = vae.decode(z);
        vae.setTiling(true);
        assertThat(vae.decode(z).data()).isEqualTo(plain.data());
    }

    @Test
    void largeLatentsAreTiledToTheFullSize() {
        AutoencoderKL vae = AutoencoderKL.load(Golden.root().resolve("tiny-vega/vae"));
        vae.setTiling(true);
        Tensor z = randn(1, 4, 24, 20);
        Tensor tiled = vae.decode(z);
        assertThat(tiled.shape()).containsExactly(1, 3, 96, 80);
        for (float v : tiled.data()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void largeImagesAreEncodedInTiles() {
        AutoencoderKL vae = AutoencoderKL.load(Golden.root().resolve("tiny-vega/vae"));
        vae.setTiling(true);
        DiagonalGaussianDistribution d = vae.encode(randn(1, 3, 80, 72));
        assertThat(d.mean().shape()).containsExactly(1, 4, 20, 18);
        assertThat(d.std().shape()).containsExactly(1, 4, 20, 18);
        assertThat(vae.encodeMoments(randn(1, 3, 80, 72))[1].shape()).containsExactly(1, 4, 20, 18);
    }
}
